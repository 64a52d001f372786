# The service image: build with the dev dependencies, run with the production ones.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY --from=build /app/dist ./dist
# The signing key (and, without DATABASE_URL, the embedded database) live here: writable by the service.
RUN mkdir -p /app/data && chown node:node /app/data
ENV LEDGER_DATA_DIR=/app/data
USER node
EXPOSE 3000
CMD ["node", "dist/apps/ledger-api/src/main.js"]
