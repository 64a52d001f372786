import type pg from 'pg';
import { LedgerSignals, PostgresEventStore } from '@ledger/event-store';
import { withPool, withSequencer } from './support/database.js';
import { sampleEvent } from './support/events.js';
import { collectGarbage, progress } from './support/progress.js';
import { perSecond } from './support/stats.js';

const PAGE_SIZE = 1000;
const READ_ROUNDS = 2;
const GENERATION_WRITERS = 8;
const EVENTS_PER_APPEND = 100;
const STREAMS_PER_WRITER = 10;
const GENERATION_BATCH_SIZE = 5000;
const HEAP_SAMPLE_EVERY = 100_000;

export interface GenerationRun {
  writers: number;
  eventsPerAppend: number;
  /** Events/s appended. */
  appended: number;
  /** Events/s from the first append to the last stamp. */
  stamped: number;
}

export interface ReadRun {
  events: number;
  perSecond: number;
  /** Sum of stream versions: proves both reads consumed the same events. */
  checksum: number;
}

export interface HeapProfile {
  startMb: number;
  maxMb: number;
  endMb: number;
  samples: number;
}

export interface ReadComparison {
  events: number;
  pageSize: number;
  generation: GenerationRun;
  baseline: ReadRun;
  ledger: ReadRun;
  heap: HeapProfile;
}

/** Reads a ledger of `events` events end to end: a keyset SELECT of the rows against store.readAll(). */
export async function benchReads(url: string, events: number): Promise<ReadComparison> {
  progress(`read: generating a ledger of ${events} events`);
  const generation = await generateLedger(url, events);
  progress('read: indexing and vacuuming');
  await prepareForReads(url);
  return withPool(url, 4, async (pool) => {
    const store = new PostgresEventStore(pool);
    const { baseline, ledger } = await alternateReads(pool, store, events);
    progress('read: heap while reading the ledger');
    const heap = await sampleHeapWhileReading(store, events);
    return { events, pageSize: PAGE_SIZE, generation, baseline, ledger, heap };
  });
}

async function generateLedger(url: string, total: number): Promise<GenerationRun> {
  const signals = new LedgerSignals();
  return withSequencer(url, { signals, batchSize: GENERATION_BATCH_SIZE }, () =>
    withPool(url, GENERATION_WRITERS + 4, async (pool) => {
      const store = new PostgresEventStore(pool, { signals });
      const started = performance.now();
      await appendInBatches(store, total);
      const appended = performance.now() - started;
      progress(`read: appended ${total} events; waiting for the sequencer`);
      await waitForHead(store, signals, total);
      const stamped = performance.now() - started;
      return {
        writers: GENERATION_WRITERS,
        eventsPerAppend: EVENTS_PER_APPEND,
        appended: perSecond(total, appended),
        stamped: perSecond(total, stamped),
      };
    }),
  );
}

/** Writers claim batches of 100 events from a shared budget until `total` are appended. */
async function appendInBatches(store: PostgresEventStore, total: number): Promise<void> {
  let claimed = 0;
  const claim = (): number => {
    const size = Math.min(EVENTS_PER_APPEND, total - claimed);
    claimed += size;
    return size;
  };
  const writer = async (index: number): Promise<void> => {
    for (let batch = 0, size = claim(); size > 0; batch++, size = claim()) {
      await store.append({
        streamId: `consignment-g${index}-s${batch % STREAMS_PER_WRITER}`,
        expectedVersion: 'any',
        events: Array.from({ length: size }, () => sampleEvent()),
      });
    }
  };
  await Promise.all(Array.from({ length: GENERATION_WRITERS }, (_, index) => writer(index)));
}

async function waitForHead(store: PostgresEventStore, signals: LedgerSignals, total: number): Promise<void> {
  // Generous: the sequencer stamps thousands of events a second; a thousandth of that means it is stuck.
  const timeoutMs = 60_000 + total;
  const deadline = performance.now() + timeoutMs;
  while ((await store.head()).position < total) {
    if (performance.now() > deadline)
      throw new Error(`ledger not stamped through ${total} in ${timeoutMs} ms`);
    await signals.nextStamped(250);
  }
}

async function prepareForReads(url: string): Promise<void> {
  await withPool(url, 1, async (pool) => {
    // The schema orders events for the sequencer by (tx_id, seq) and has no index on seq alone. Without
    // one, every page of the baseline's keyset read would scan and sort the whole table.
    await pool.query('CREATE INDEX bench_events_seq_idx ON events (seq)');
    // Both tables fresh from bulk writes: vacuum so neither read pays for setting hint bits.
    await pool.query('VACUUM (ANALYZE) events, ledger');
  });
}

async function alternateReads(
  pool: pg.Pool,
  store: PostgresEventStore,
  events: number,
): Promise<{ baseline: ReadRun; ledger: ReadRun }> {
  const baselineRuns: ReadRun[] = [];
  const ledgerRuns: ReadRun[] = [];
  for (let round = 1; round <= READ_ROUNDS; round++) {
    progress(`read: baseline, round ${round}`);
    baselineRuns.push(await timeRead(events, () => readPlainRows(pool, events)));
    progress(`read: ledger, round ${round}`);
    ledgerRuns.push(await timeRead(events, () => readLedger(store, events)));
  }
  const baseline = fastest(baselineRuns);
  const ledger = fastest(ledgerRuns);
  if (baseline.checksum !== ledger.checksum) {
    throw new Error(`reads disagree: checksum ${baseline.checksum} (rows) vs ${ledger.checksum} (ledger)`);
  }
  return { baseline, ledger };
}

async function timeRead(expected: number, read: () => Promise<number>): Promise<ReadRun> {
  collectGarbage();
  const started = performance.now();
  const checksum = await read();
  return { events: expected, perSecond: perSecond(expected, performance.now() - started), checksum };
}

/** The baseline: the same rows, paged by keyset in the order they were written. Returns the checksum. */
async function readPlainRows(pool: pg.Pool, expected: number): Promise<number> {
  let checksum = 0;
  let read = 0;
  let after = '0';
  while (read < expected) {
    const { rows } = await pool.query<{ seq: string; stream_version: number }>({
      text: `SELECT seq, event_id, stream_id, stream_version, type, schema_version, data, metadata, recorded_at
             FROM events WHERE seq > $1 ORDER BY seq LIMIT $2`,
      values: [after, Math.min(PAGE_SIZE, expected - read)],
    });
    if (rows.length === 0) throw new Error(`events ended after ${read} rows, expected ${expected}`);
    for (const row of rows) checksum += row.stream_version;
    read += rows.length;
    after = rows[rows.length - 1]!.seq;
  }
  return checksum;
}

async function readLedger(store: PostgresEventStore, expected: number): Promise<number> {
  let checksum = 0;
  let read = 0;
  for await (const event of store.readAll({ pageSize: PAGE_SIZE, through: expected })) {
    checksum += event.streamVersion;
    read += 1;
  }
  if (read !== expected) throw new Error(`the ledger held ${read} events, expected ${expected}`);
  return checksum;
}

async function sampleHeapWhileReading(store: PostgresEventStore, expected: number): Promise<HeapProfile> {
  const every = Math.min(HEAP_SAMPLE_EVERY, Math.ceil(expected / 10));
  const samples = [heapUsedMb()];
  let read = 0;
  for await (const _event of store.readAll({ pageSize: PAGE_SIZE, through: expected })) {
    read += 1;
    if (read % every === 0) samples.push(heapUsedMb());
  }
  samples.push(heapUsedMb());
  return {
    startMb: samples[0]!,
    maxMb: Math.max(...samples),
    endMb: samples[samples.length - 1]!,
    samples: samples.length,
  };
}

function heapUsedMb(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

function fastest(runs: readonly ReadRun[]): ReadRun {
  return runs.reduce((best, run) => (run.perSecond > best.perSecond ? run : best));
}
