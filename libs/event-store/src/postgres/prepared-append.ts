import { randomUUID } from 'node:crypto';
import { DuplicateEventError, InvalidAppendError } from '../errors.js';
import type { JsonObject } from '../json.js';
import { canonicalize } from '../ledger/canonical-json.js';
import type { EventMetadata, ExpectedVersion, NewEvent, StreamAppend } from '../types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One append, checked and normalised: what the database is sent. */
export interface PreparedAppend {
  streams: PreparedStream[];
  events: PreparedEvent[];
}

export interface PreparedStream {
  streamId: string;
  expected: ExpectedVersion;
  write: boolean;
}

export interface PreparedEvent {
  eventId: string;
  streamId: string;
  type: string;
  schemaVersion: number;
  data: JsonObject;
  metadata: EventMetadata;
  /** Further streams this event is linked into, in the order they were listed. */
  links: string[];
}

/** Checks an append before it reaches the database; the database re-checks what only it can know. */
export function prepareAppend(list: readonly StreamAppend[]): PreparedAppend {
  if (list.length === 0) throw new InvalidAppendError('an append names at least one stream');
  const streams: PreparedStream[] = [];
  const events = new Map<string, PreparedEvent>();
  for (const append of list) {
    assertStream(append, streams);
    streams.push({
      streamId: append.streamId,
      expected: append.expectedVersion,
      write: append.events.length > 0,
    });
    for (const event of append.events) {
      const prepared = prepareEvent(event, append.streamId);
      const first = events.get(prepared.eventId);
      if (!first) {
        events.set(prepared.eventId, prepared);
      } else if (first.streamId === append.streamId || first.links.includes(append.streamId)) {
        throw new DuplicateEventError(prepared.eventId);
      } else if (canonicalize(withoutPlacement(first)) !== canonicalize(withoutPlacement(prepared))) {
        throw new InvalidAppendError(`event ${prepared.eventId} is listed twice with different content`);
      } else {
        first.links.push(append.streamId);
      }
    }
  }
  if (events.size === 0) throw new InvalidAppendError('an append holds at least one event');
  return { streams, events: [...events.values()] };
}

function assertStream(append: StreamAppend, earlier: readonly PreparedStream[]): void {
  if (typeof append.streamId !== 'string' || append.streamId.length === 0) {
    throw new InvalidAppendError('a stream id is a non-empty string');
  }
  if (earlier.some((stream) => stream.streamId === append.streamId)) {
    throw new InvalidAppendError(`stream ${append.streamId} is named twice in one append`);
  }
  const expected = append.expectedVersion;
  const named = expected === 'any' || expected === 'no-stream' || expected === 'stream-exists';
  if (!named && !(Number.isInteger(expected) && expected >= 0)) {
    throw new InvalidAppendError(
      `stream ${append.streamId}: expected version ${String(expected)} is not valid`,
    );
  }
}

function prepareEvent(event: NewEvent, streamId: string): PreparedEvent {
  const eventId = (event.eventId ?? randomUUID()).toLowerCase();
  if (!UUID.test(eventId)) throw new InvalidAppendError(`event id ${eventId} is not a UUID`);
  if (typeof event.type !== 'string' || event.type.length === 0) {
    throw new InvalidAppendError('an event type is a non-empty string');
  }
  const schemaVersion = event.schemaVersion ?? 1;
  if (!Number.isInteger(schemaVersion) || schemaVersion < 1) {
    throw new InvalidAppendError(`event ${eventId}: schema version ${schemaVersion} is not valid`);
  }
  if (!isObject(event.data) || !isObject(event.metadata)) {
    throw new InvalidAppendError(`event ${eventId}: data and metadata are JSON objects`);
  }
  return {
    eventId,
    streamId,
    type: event.type,
    schemaVersion,
    data: event.data,
    metadata: event.metadata,
    links: [],
  };
}

function withoutPlacement({ type, schemaVersion, data, metadata }: PreparedEvent): JsonObject {
  return { type, schemaVersion, data, metadata };
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
