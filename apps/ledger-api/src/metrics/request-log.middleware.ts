import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { correlationIdOf } from '../http/correlation.js';
import type { LedgerMetrics } from './metrics.js';

const logger = new Logger('HTTP');

/** One structured line per request, with its correlation id, and the HTTP metrics. Never headers or bodies. */
export function requestLogMiddleware(metrics: LedgerMetrics) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const started = performance.now();
    response.on('finish', () => {
      const seconds = (performance.now() - started) / 1000;
      const route = routeOf(request);
      metrics.httpRequests.inc({ method: request.method, route, status: response.statusCode });
      metrics.httpDuration.observe({ method: request.method, route }, seconds);
      if (route === '/metrics' || route === '/health') return;
      logger.log({
        message: `${request.method} ${request.originalUrl} ${response.statusCode}`,
        method: request.method,
        route,
        status: response.statusCode,
        durationMs: Math.round(seconds * 10_000) / 10,
        correlationId: correlationIdOf(request),
        actor: (request as Request & { principal?: { name: string } }).principal?.name,
      });
    });
    next();
  };
}

/** The matched route pattern (`/v1/orders/:orderId/cancel`), so metrics do not get a label per id. */
function routeOf(request: Request): string {
  const pattern = (request.route as { path?: string } | undefined)?.path;
  return pattern ? `${request.baseUrl}${pattern}` : 'unmatched';
}
