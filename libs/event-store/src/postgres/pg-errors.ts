import {
  DuplicateEventError,
  InvalidAppendError,
  StreamOrderConflictError,
  WrongExpectedVersionError,
} from '../errors.js';
import type { ExpectedVersion } from '../types.js';

interface PgError {
  code?: string;
  constraint?: string;
  detail?: string;
  message: string;
}

/** Turns what `ledger_append` and the constraints raise into the store's typed errors. */
export function translateAppendError(error: unknown): unknown {
  const pgError = error as PgError;
  switch (pgError.code) {
    case 'SL409': {
      const detail = JSON.parse(pgError.detail ?? '{}') as {
        streamId: string;
        expected: ExpectedVersion;
        actual: number;
      };
      return new WrongExpectedVersionError(detail.streamId, detail.expected, detail.actual);
    }
    case 'SL412': {
      const detail = JSON.parse(pgError.detail ?? '{}') as { streamId: string };
      return new StreamOrderConflictError(detail.streamId);
    }
    case 'SL400':
      return new InvalidAppendError(pgError.message);
    case '23505':
      if (pgError.constraint === 'events_pkey') {
        return new DuplicateEventError(/\(event_id\)=\(([^)]+)\)/.exec(pgError.detail ?? '')?.[1]);
      }
      return error;
    default:
      return error;
  }
}

export function isUniqueViolation(error: unknown, constraints: readonly string[]): boolean {
  const pgError = error as PgError;
  return pgError.code === '23505' && constraints.includes(pgError.constraint ?? '');
}
