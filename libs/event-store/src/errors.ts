import type { ExpectedVersion } from './types.js';

/** Base of every error the event store raises on purpose. */
export abstract class EventStoreError extends Error {}

/** A write raced with another one; retrying the whole decision may succeed. */
export abstract class ConcurrencyError extends EventStoreError {}

export class WrongExpectedVersionError extends ConcurrencyError {
  override readonly name = 'WrongExpectedVersionError';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    readonly actual: number,
  ) {
    super(`stream ${streamId}: expected version ${String(expected)}, actual ${actual}`);
  }
}

/**
 * The stream's latest event was written by a transaction that took its id after the caller's: appending
 * now would put the stream out of order in the ledger. Only a long multi-statement transaction hits this.
 */
export class StreamOrderConflictError extends ConcurrencyError {
  override readonly name = 'StreamOrderConflictError';
  constructor(readonly streamId: string) {
    super(`stream ${streamId} was extended by a younger transaction; retry in a new transaction`);
  }
}

export class DuplicateEventError extends EventStoreError {
  override readonly name = 'DuplicateEventError';
  constructor(readonly eventId: string | undefined) {
    super(eventId ? `event ${eventId} is already stored` : 'an event id in this append is already stored');
  }
}

export class InvalidAppendError extends EventStoreError {
  override readonly name = 'InvalidAppendError';
}

export class StampTimeoutError extends EventStoreError {
  override readonly name = 'StampTimeoutError';
  constructor(
    readonly eventIds: readonly string[],
    timeoutMs: number,
  ) {
    super(`${eventIds.length} event(s) were not stamped onto the ledger within ${timeoutMs} ms`);
  }
}
