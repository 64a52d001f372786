import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

const HEADER = 'x-correlation-id';

/** A trace id from a header (X-Correlation-Id, X-Causation-Id), when it is one we are willing to store. */
export function headerId(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(value) ? value : undefined;
}

type Correlated = Request & { correlationId?: string };

/** Takes the caller's X-Correlation-Id (when well-formed) or makes one, and echoes it on the response. */
export function correlationMiddleware(request: Request, response: Response, next: NextFunction): void {
  const correlationId = headerId(request.headers[HEADER]) ?? randomUUID();
  (request as Correlated).correlationId = correlationId;
  response.setHeader('X-Correlation-Id', correlationId);
  next();
}

export function correlationIdOf(request: Request): string {
  return (request as Correlated).correlationId ?? randomUUID();
}
