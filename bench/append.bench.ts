import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { LedgerSignals, PostgresEventStore } from '@ledger/event-store';
import type { Timing } from './support/config.js';
import { connectClients, releaseClients, withPool, withSequencer } from './support/database.js';
import { sampleData, sampleEvent } from './support/events.js';
import { LagTracker } from './support/lag-tracker.js';
import { collectGarbage, progress } from './support/progress.js';
import type { LatencySummary } from './support/stats.js';
import { combineRuns, runTimedWriters, type TimedRun, type WriterTurn } from './support/timed-writers.js';

export const WRITER_COUNTS = [1, 8, 32] as const;
/**
 * Each configuration's measuring time is split into this many slices, the baselines and the ledger taking
 * turns, so that a slow spell of the (shared) machine weighs on both sides alike rather than on one.
 */
export const APPEND_ROUNDS = 2;
const STREAMS_PER_WRITER = 4;
const STAMP_TIMEOUT_MS = 60_000;

export interface AppendComparison {
  writers: number;
  /** A single-row INSERT sent on its own (autocommit: one round trip, the strictest comparison). */
  baseline: TimedRun;
  /** The same INSERT in its own explicit transaction (BEGIN; INSERT; COMMIT), as applications usually write. */
  baselineInTransaction: TimedRun;
  ledger: TimedRun;
  lag: LatencySummary;
}

/**
 * Single-event appends against single-row INSERTs, alternating at each writer count so that both see the
 * same machine state. The sequencer runs throughout, as in the service.
 */
export async function benchAppends(url: string, timing: Timing): Promise<AppendComparison[]> {
  await createPlainTable(url);
  const signals = new LedgerSignals();
  return withSequencer(url, { signals }, async () => {
    const results: AppendComparison[] = [];
    const slice: Timing = { ...timing, measureMs: timing.measureMs / APPEND_ROUNDS };
    for (const writers of WRITER_COUNTS) {
      const runs = { baseline: [] as TimedRun[], inTransaction: [] as TimedRun[], ledger: [] as TimedRun[] };
      const tracker = new LagTracker();
      for (let round = 1; round <= APPEND_ROUNDS; round++) {
        progress(`append: baseline, ${writers} writers (${round}/${APPEND_ROUNDS})`);
        runs.baseline.push(await measurePlainInserts(url, writers, slice, false));
        progress(`append: baseline in a transaction, ${writers} writers (${round}/${APPEND_ROUNDS})`);
        runs.inTransaction.push(await measurePlainInserts(url, writers, slice, true));
        progress(`append: ledger, ${writers} writers (${round}/${APPEND_ROUNDS})`);
        runs.ledger.push(await measureLedgerAppends(url, writers, slice, signals, tracker));
      }
      results.push({
        writers,
        baseline: combineRuns(runs.baseline, slice.measureMs),
        baselineInTransaction: combineRuns(runs.inTransaction, slice.measureMs),
        ledger: combineRuns(runs.ledger, slice.measureMs),
        lag: tracker.summary(),
      });
    }
    return results;
  });
}

async function createPlainTable(url: string): Promise<void> {
  await withPool(url, 1, (pool) =>
    pool.query(
      'CREATE TABLE bench_plain (id uuid PRIMARY KEY, stream_id text NOT NULL, data jsonb NOT NULL)',
    ),
  );
}

async function measurePlainInserts(
  url: string,
  writers: number,
  timing: Timing,
  inTransaction: boolean,
): Promise<TimedRun> {
  collectGarbage();
  return withPool(url, writers + 4, async (pool) => {
    const clients = await connectClients(pool, writers);
    try {
      return await runTimedWriters(writers, timing, (turn) =>
        inTransaction
          ? insertInTransaction(clients[turn.writer]!, turn)
          : insertPlainRow(clients[turn.writer]!, turn),
      );
    } finally {
      releaseClients(clients);
    }
  });
}

async function insertPlainRow(client: pg.PoolClient, turn: WriterTurn): Promise<void> {
  await client.query('INSERT INTO bench_plain (id, stream_id, data) VALUES ($1, $2, $3)', [
    randomUUID(),
    streamOf(turn),
    sampleData(),
  ]);
}

async function insertInTransaction(client: pg.PoolClient, turn: WriterTurn): Promise<void> {
  await client.query('BEGIN');
  await insertPlainRow(client, turn);
  await client.query('COMMIT');
}

async function measureLedgerAppends(
  url: string,
  writers: number,
  timing: Timing,
  signals: LedgerSignals,
  tracker: LagTracker,
): Promise<TimedRun> {
  collectGarbage();
  return withPool(url, writers + 4, async (pool) => {
    const store = new PostgresEventStore(pool, { signals });
    const unsubscribe = signals.onStamped((batch) => tracker.stamped(batch));
    try {
      const run = await runTimedWriters(writers, timing, (turn) => appendOne(store, tracker, turn));
      await tracker.waitUntilAllStamped(signals, STAMP_TIMEOUT_MS);
      return run;
    } finally {
      unsubscribe();
    }
  });
}

async function appendOne(store: PostgresEventStore, tracker: LagTracker, turn: WriterTurn): Promise<void> {
  const eventId = randomUUID();
  tracker.expect(eventId, turn.measured);
  await store.append({ streamId: streamOf(turn), expectedVersion: 'any', events: [sampleEvent(eventId)] });
  tracker.resolved(eventId, performance.now());
}

/** Each writer owns a few streams and cycles through them. */
function streamOf(turn: WriterTurn): string {
  return `consignment-w${turn.writer}-s${turn.iteration % STREAMS_PER_WRITER}`;
}
