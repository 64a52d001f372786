import type { JsonObject, JsonValue } from './json.js';

/** Who caused an event and why. Every event carries all five; extra keys are allowed. */
export interface EventMetadata {
  actor: string;
  role: string;
  correlationId: string;
  causationId: string;
  commandId: string;
  [key: string]: JsonValue;
}

/** An event on its way into the store. */
export interface NewEvent {
  /** A UUID; generated when absent. Appending an id the store already holds is refused. */
  eventId?: string;
  type: string;
  /** The schema version of `data`; 1 when absent. */
  schemaVersion?: number;
  data: JsonObject;
  metadata: EventMetadata;
}

/** A stream an event belongs to besides the one it was written to, and its version there. */
export interface StreamLink {
  streamId: string;
  streamVersion: number;
}

/** An event as committed to a stream (it may not have a ledger position yet). */
export interface RecordedEvent {
  eventId: string;
  /** The stream read (for a stream read) or the stream the event was written to (for a ledger read). */
  streamId: string;
  streamVersion: number;
  type: string;
  /** After upcasting: the schema version of `data` as returned, i.e. the current one. */
  schemaVersion: number;
  data: JsonObject;
  metadata: EventMetadata;
  recordedAt: Date;
}

/** An event read from the ledger: stamped with its dense position and its link in the hash chain. */
export interface LedgerEvent extends RecordedEvent {
  position: number;
  /** SHA-256 (hex) of the stored entry bytes. */
  hash: string;
  /** Hash of the previous entry; the genesis hash for position 1. */
  prevHash: string;
  /** The further streams the event belongs to. */
  links: StreamLink[];
}

/**
 * What the caller believes about a stream before appending:
 * `any` (no check), `no-stream` (must not exist), `stream-exists`, or the exact current version
 * (0 means "no events yet", the same as `no-stream`).
 */
export type ExpectedVersion = 'any' | 'no-stream' | 'stream-exists' | number;

export interface StreamAppend {
  streamId: string;
  expectedVersion: ExpectedVersion;
  /**
   * May be empty: the stream's version is then checked and held until commit, nothing is written to it.
   * An event (same id, same content) listed under several streams is stored once, in the first stream
   * that lists it, and linked into the others.
   */
  events: NewEvent[];
}

export interface AppendedEvent {
  eventId: string;
  streamId: string;
  streamVersion: number;
  type: string;
  links: StreamLink[];
}

export interface AppendResult {
  events: AppendedEvent[];
  /** The version of every stream named in the append, after it. */
  streams: { streamId: string; version: number }[];
}
