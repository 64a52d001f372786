// Jest runs the ESM sources compiled to CommonJS by swc (Nest 12 is ESM-only, and Jest on Node 20 cannot
// require() ESM). The VM-modules flag in `npm test` is still needed: PGlite does a dynamic import() inside.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];

module.exports = {
  testEnvironment: 'node',
  rootDir: __dirname,
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'],
  moduleNameMapper: {
    '^@ledger/database/testing$': '<rootDir>/libs/database/src/testing/index.ts',
    '^@ledger/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: [
    '/node_modules/(?!(@nestjs|file-type|uid|load-esm|strtok3|token-types|@tokenizer|uint8array-extras)/)',
  ],
  testTimeout: 60_000,
  maxWorkers: 2,
};
