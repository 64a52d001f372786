import { DuplicateEventError } from '../errors.js';

interface PgError {
  code?: string;
  constraint?: string;
  detail?: string;
  message: string;
}

/**
 * Turns what an append can raise into the store's typed errors. `ledger_append_batch` answers refused
 * expectations itself (as values, so that one append's refusal leaves the rest of its group alone); what is
 * left to translate is the unique key on event ids.
 */
export function translateAppendError(error: unknown): unknown {
  if (isUniqueViolation(error, ['events_pkey'])) {
    return new DuplicateEventError(/\(event_id\)=\(([^)]+)\)/.exec((error as PgError).detail ?? '')?.[1]);
  }
  return error;
}

export function isUniqueViolation(error: unknown, constraints: readonly string[]): boolean {
  const pgError = error as PgError;
  return pgError.code === '23505' && constraints.includes(pgError.constraint ?? '');
}
