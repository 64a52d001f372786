import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

const HEADER = 'x-correlation-id';
const FORMAT = /^[A-Za-z0-9._:-]{1,128}$/;

type Correlated = Request & { correlationId?: string };

/** Takes the caller's X-Correlation-Id (when well-formed) or makes one, and echoes it on the response. */
export function correlationMiddleware(request: Request, response: Response, next: NextFunction): void {
  const given = request.headers[HEADER];
  const correlationId = typeof given === 'string' && FORMAT.test(given) ? given : randomUUID();
  (request as Correlated).correlationId = correlationId;
  response.setHeader('X-Correlation-Id', correlationId);
  next();
}

export function correlationIdOf(request: Request): string {
  return (request as Correlated).correlationId ?? randomUUID();
}
