import type pg from 'pg';
import { StreamOrderConflictError, WrongExpectedVersionError } from '../errors.js';
import type { AppendResult, ExpectedVersion } from '../types.js';
import type { PreparedAppend } from './prepared-append.js';

/** One row of `ledger_append_batch` (see its migration for the meaning of each array). */
interface BatchRow {
  event_versions: number[];
  link_versions: number[];
  stream_versions: number[];
  refused: Refusal[] | null;
}

type Refusal =
  | { append: number; code: 'SL409'; streamId: string; actual: number }
  | { append: number; code: 'SL412'; streamId: string };

/** Each append's answer: what it wrote, or why it was refused (a concurrency error; nothing written). */
export type AppendOutcome = { ok: true; result: AppendResult } | { ok: false; error: Error };

/**
 * Runs independent appends in one transaction of the caller's client (or, outside a transaction, as one
 * transaction of their own): one commit for all. A refused append is answered on its own; an SQL error (a
 * duplicate event id, a lost connection) fails them all and is thrown.
 */
export async function appendBatch(
  client: pg.ClientBase,
  appends: readonly PreparedAppend[],
): Promise<AppendOutcome[]> {
  const { rows } = await client.query<BatchRow>(batchQuery(appends));
  return outcomes(appends, rows[0]!);
}

function batchQuery(appends: readonly PreparedAppend[]): pg.QueryConfig {
  const lockModes = new Map<string, boolean>();
  for (const append of appends) {
    for (const { streamId, write } of append.streams) {
      lockModes.set(streamId, (lockModes.get(streamId) ?? false) || write);
    }
  }
  // One lock order for every writer (any total order will do, as long as all use the same), so that two
  // groups sharing streams wait for each other instead of deadlocking.
  const locks = [...lockModes.keys()].sort();
  const lockOf = new Map(locks.map((streamId, i) => [streamId, i + 1]));
  const index = (streamId: string) => lockOf.get(streamId)!;

  const sAppend: number[] = [];
  const sLock: number[] = [];
  const sExpected: number[] = [];
  const eAppend: number[] = [];
  const eId: string[] = [];
  const eLock: number[] = [];
  const eType: string[] = [];
  const eSchema: number[] = [];
  const eBody: unknown[] = [];
  const lEvent: number[] = [];
  const lLock: number[] = [];
  appends.forEach((append, i) => {
    for (const stream of append.streams) {
      sAppend.push(i + 1);
      sLock.push(index(stream.streamId));
      sExpected.push(encodeExpected(stream.expected));
    }
    for (const event of append.events) {
      eAppend.push(i + 1);
      eId.push(event.eventId);
      eLock.push(index(event.streamId));
      eType.push(event.type);
      eSchema.push(event.schemaVersion);
      eBody.push([event.data, event.metadata]);
      for (const link of event.links) {
        lEvent.push(eId.length);
        lLock.push(index(link));
      }
    }
  });
  return {
    // Not a named statement, though that would spare about 30 us of parsing and planning per call: on the
    // embedded database every connection shares PGlite's one session, where the name would already exist.
    text: `SELECT event_versions, link_versions, stream_versions, refused
           FROM ledger_append_batch($1::text[], $2::boolean[], $3::integer[], $4::integer[], $5::integer[],
                                    $6::integer[], $7::uuid[], $8::integer[], $9::text[], $10::integer[],
                                    $11::jsonb, $12::integer[], $13::integer[])`,
    values: [
      locks,
      locks.map((stream) => lockModes.get(stream)),
      sAppend,
      sLock,
      sExpected,
      eAppend,
      eId,
      eLock,
      eType,
      eSchema,
      JSON.stringify(eBody),
      lEvent,
      lLock,
    ],
  };
}

function encodeExpected(expected: ExpectedVersion): number {
  switch (expected) {
    case 'any':
      return -1;
    case 'stream-exists':
      return -2;
    case 'no-stream':
      return 0;
    default:
      return expected;
  }
}

function outcomes(appends: readonly PreparedAppend[], row: BatchRow): AppendOutcome[] {
  const refusals = new Map((row.refused ?? []).map((refusal) => [refusal.append, refusal]));
  let event = 0;
  let link = 0;
  let stream = 0;
  return appends.map((append, index): AppendOutcome => {
    const refusal = refusals.get(index + 1);
    const versions = row.stream_versions.slice(stream, (stream += append.streams.length));
    if (refusal) {
      event += append.events.length;
      link += append.events.reduce((sum, { links }) => sum + links.length, 0);
      return { ok: false, error: refusalError(append, refusal) };
    }
    return {
      ok: true,
      result: {
        events: append.events.map((prepared) => ({
          eventId: prepared.eventId,
          streamId: prepared.streamId,
          streamVersion: row.event_versions[event++]!,
          type: prepared.type,
          links: prepared.links.map((streamId) => ({ streamId, streamVersion: row.link_versions[link++]! })),
        })),
        streams: append.streams.map(({ streamId }, i) => ({ streamId, version: versions[i]! })),
      },
    };
  });
}

function refusalError(append: PreparedAppend, refusal: Refusal): Error {
  if (refusal.code === 'SL412') return new StreamOrderConflictError(refusal.streamId);
  const expected = append.streams.find(({ streamId }) => streamId === refusal.streamId)!.expected;
  return new WrongExpectedVersionError(refusal.streamId, expected, refusal.actual);
}
