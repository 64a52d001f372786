import { CURRENT_SCHEMA_VERSION, type LedgerEvent } from '@ledger/domain';
import type { EventMetadata, JsonObject, RecordedEvent } from '@ledger/event-store';
import type { CommandContext } from './command-executor.js';

/** The event a command appended, as its answer names it. */
export interface Appended {
  eventId: string;
  type: string;
  streamId: string;
  version: number;
  metadata: EventMetadata;
}

/** How one decide-and-append went, and so what the command does next. */
export type Attempt =
  | { kind: 'appended'; appended: Appended }
  | { kind: 'landed-before'; event: RecordedEvent }
  | { kind: 'refused-on-cache' }
  /** The decision read streams taken to be new that the event does not write: read them, decide again. */
  | { kind: 'unverified-reads'; streamIds: string[] }
  /** Decided again on newer state, the event writes streams the first decision did not: start over. */
  | { kind: 'writes-moved' }
  /** A round could not take the command, or failed for another command's fault: decide alone. */
  | { kind: 'go-alone' }
  | { kind: 'conflict'; streamId: string };

/** The event as the store is given it: the decision, its schema version and the command's metadata. */
export function storedEvent(event: LedgerEvent, context: CommandContext, eventId: string) {
  const metadata: EventMetadata = { ...context };
  if (metadata.requestHash === undefined) delete metadata.requestHash;
  return {
    eventId,
    type: event.type,
    schemaVersion: CURRENT_SCHEMA_VERSION[event.type],
    data: event.data as JsonObject,
    metadata,
  };
}
