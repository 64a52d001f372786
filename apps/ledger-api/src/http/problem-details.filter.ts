import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CommandConflictError } from '@ledger/commands';
import { DomainError, type ErrorKind } from '@ledger/domain';
import { ConcurrencyError, DuplicateEventError, StampTimeoutError } from '@ledger/event-store';
import {
  InvalidCursorError,
  PositionBeyondLedgerError,
  PositionNotReachedError,
  ProjectionNotFoundError,
  RebuildInProgressError,
  UnknownProjectionError,
} from '@ledger/projections';
import { PROBLEM_CONTENT_TYPE, problem, ProblemError, type ProblemDetails } from './problem-details.js';

const STATUS_OF_KIND: Record<ErrorKind, number> = {
  validation: 400,
  'not-found': 404,
  conflict: 409,
  rule: 422,
};

/** The one place where errors become HTTP: the domain and the store know nothing of statuses. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const details = { ...toProblem(error), instance: request.originalUrl };
    if (details.status >= 500)
      this.logger.error(`${request.method} ${request.originalUrl}: ${String(error)}`);
    response.status(details.status).type(PROBLEM_CONTENT_TYPE).json(details);
  }
}

/** What a client is told about an error: its status, code and explanation. */
export function toProblem(error: unknown): ProblemDetails {
  if (error instanceof ProblemError) return error.problem;
  if (error instanceof DomainError) {
    return problem(STATUS_OF_KIND[error.kind], error.code, error.message, error.details ?? {});
  }
  if (error instanceof CommandConflictError) return problem(409, error.code, error.message);
  if (error instanceof DuplicateEventError) return problem(409, 'DUPLICATE_EVENT', error.message);
  if (error instanceof ConcurrencyError) return problem(409, 'CONCURRENCY_CONFLICT', error.message);
  if (error instanceof StampTimeoutError) {
    return problem(
      503,
      'LEDGER_NOT_STAMPED',
      'the command was recorded but the ledger has not stamped it yet',
    );
  }
  const read = readProblem(error);
  if (read) return read;
  if (isDatabaseUnavailable(error))
    return problem(503, 'DATABASE_UNAVAILABLE', 'the database cannot be reached');
  if (error instanceof HttpException) return fromHttpException(error);
  return problem(500, 'INTERNAL_ERROR', 'an unexpected error occurred');
}

function readProblem(error: unknown): ProblemDetails | null {
  if (error instanceof PositionNotReachedError) {
    return problem(503, 'POSITION_NOT_REACHED', error.message, {
      projection: error.projection,
      requestedPosition: error.requested,
      position: error.position,
    });
  }
  if (error instanceof PositionBeyondLedgerError) {
    return problem(409, 'POSITION_BEYOND_LEDGER', error.message, {
      requestedPosition: error.requested,
      ledgerPosition: error.ledgerPosition,
    });
  }
  if (error instanceof InvalidCursorError) {
    return problem(400, 'VALIDATION_FAILED', error.message, {
      errors: [{ field: 'after', messages: [error.message] }],
    });
  }
  if (error instanceof ProjectionNotFoundError || error instanceof UnknownProjectionError) {
    return problem(404, 'PROJECTION_NOT_FOUND', error.message);
  }
  if (error instanceof RebuildInProgressError) {
    return problem(409, 'REBUILD_IN_PROGRESS', error.message, { generation: error.generation });
  }
  return null;
}

function fromHttpException(error: HttpException): ProblemDetails {
  const status = error.getStatus();
  const codes: Record<number, string> = {
    400: 'BAD_REQUEST',
    404: 'ROUTE_NOT_FOUND',
    413: 'PAYLOAD_TOO_LARGE',
    415: 'UNSUPPORTED_MEDIA_TYPE',
    429: 'RATE_LIMITED',
  };
  return problem(status, codes[status] ?? `HTTP_${status}`, error.message);
}

/** Connection refused, reset or cut, or a server that is shutting down or out of connections. */
function isDatabaseUnavailable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (
    typeof message === 'string' &&
    /Connection terminated|timeout exceeded when trying to connect/.test(message)
  ) {
    return true;
  }
  if (typeof code !== 'string') return false;
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P03', '53300'].includes(code) ||
    code.startsWith('08')
  );
}
