import { createTestDatabase, type TestDatabase } from '@ledger/database/testing';
import { type JsonObject, LedgerSignals, PostgresEventStore, Sequencer } from '@ledger/event-store';
import { anEvent } from '../../../../test/support/events.js';
import type { ProjectedEvent, ReadModel } from '../read-model.js';
import { catalog } from './catalog.js';
import { foldRecordedBy, foldThrough } from './fold.js';
import { ModelTable, rowsChecksum } from './projection-tables.js';
import { Projector, type ProjectorOptions } from './projector.js';
import { sleep, until } from '../../../../test/support/wait.js';

const TYPES = ['Alpha', 'Beta', 'Gamma', 'Delta', 'Epsilon'];

interface CountRow extends JsonObject {
  type: string;
  count: number;
  lastPosition: number;
  firstRecordedAt: string;
}

/** A read model small enough to check by hand: how many events of each type, and the last position. */
function countsModel(version = 1): ReadModel<Map<string, CountRow>, CountRow> {
  return {
    name: 'test-counts',
    version,
    table: 'proj_test_counts',
    columns: [
      { field: 'type', type: 'text' },
      { field: 'count', type: 'bigint' },
      { field: 'lastPosition', type: 'bigint' },
      { field: 'firstRecordedAt', type: 'text' },
    ],
    key: ['type'],
    filters: ['type'],
    initial: () => new Map(),
    evolve(state, { event, position, recordedAt }: ProjectedEvent) {
      const type = event.type as string;
      const row = state.get(type) ?? { type, count: 0, lastPosition: 0, firstRecordedAt: recordedAt };
      state.set(type, { ...row, count: row.count + version, lastPosition: position });
      return [type];
    },
    row: (state, key) => state.get(key),
    rows: (state) => [...state.values()].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0)),
    rowKey: (row) => row.type,
    snapshot: (state) => [...state.values()],
    restore: (snapshot) => new Map((snapshot as CountRow[]).map((row) => [row.type, { ...row }])),
  };
}

describe('the projector', () => {
  let db: TestDatabase;
  let signals: LedgerSignals;
  let store: PostgresEventStore;
  let sequencer: Sequencer;
  const projectors: Projector[] = [];

  beforeEach(async () => {
    db = await createTestDatabase();
    await db.pool.query(`
      CREATE TABLE proj_test_counts (
        generation integer NOT NULL, type text COLLATE "C" NOT NULL, count bigint NOT NULL,
        last_position bigint NOT NULL, first_recorded_at text NOT NULL,
        PRIMARY KEY (generation, type))`);
    signals = new LedgerSignals();
    store = new PostgresEventStore(db.pool, { signals });
    sequencer = new Sequencer(db.url, { signals, standbyMs: 100 });
    sequencer.start();
    appended = 0;
  });
  afterEach(async () => {
    await Promise.all(projectors.splice(0).map((p) => p.stop()));
    await sequencer.stop();
    await db.close();
  });

  function startProjector(options: Partial<ProjectorOptions> = {}): Projector {
    const projector = new Projector(db.url, db.pool, {
      models: [countsModel()],
      signals,
      standbyMs: 100,
      idleMs: 20,
      ...options,
    });
    projectors.push(projector);
    projector.start();
    return projector;
  }

  /** `count` appends of one event each, by `writers` concurrent writers, of pseudo-random types. */
  let appended = 0;
  async function append(count: number, writers = 4): Promise<void> {
    let next = 0;
    appended += count;
    await Promise.all(
      Array.from({ length: writers }, async () => {
        while (next < count) {
          const i = next++;
          await store.append([
            {
              streamId: `s-${i % 17}`,
              expectedVersion: 'any',
              events: [anEvent(TYPES[(i * 7 + 3) % TYPES.length])],
            },
          ]);
        }
      }),
    );
  }

  /** The counts straight from the ledger, as the model's rows should be. */
  async function expectedRows(through?: number): Promise<CountRow[]> {
    const { rows } = await db.pool.query<CountRow>(
      `SELECT e.type, count(*)::int AS count, max(l.position)::int AS "lastPosition"
       FROM ledger l JOIN events e USING (event_id)
       WHERE l.position <= $1 GROUP BY e.type ORDER BY e.type COLLATE "C"`,
      [through ?? Number.MAX_SAFE_INTEGER],
    );
    return rows;
  }

  async function liveRows(): Promise<CountRow[]> {
    const entry = (await catalog.get(db.pool, 'test-counts'))!;
    const page = await new ModelTable(countsModel()).page(db.pool, entry.liveGeneration, { limit: 1000 });
    return page.items as CountRow[];
  }

  const withoutTimes = (rows: CountRow[]) =>
    rows.map(({ type, count, lastPosition }) => ({ type, count, lastPosition }));

  /** Waits until everything appended so far is stamped and projected. */
  async function caughtUp(): Promise<void> {
    await until(async () => (await store.head()).position === appended, { timeoutMs: 30_000 });
    await until(async () => (await catalog.get(db.pool, 'test-counts'))?.livePosition === appended, {
      timeoutMs: 30_000,
    });
  }

  it('applies every stamped event exactly once, with its checkpoint, while writers append', async () => {
    startProjector({ batchSize: 50 });
    await append(1_200, 6);
    await until(async () => (await store.head()).position === 1_200, { timeoutMs: 30_000 });
    await caughtUp();
    expect(withoutTimes(await liveRows())).toEqual(await expectedRows());
  });

  it('keeps the rows exact when a batch dies before it commits, and resumes from the checkpoint', async () => {
    let failures = 0;
    startProjector({
      batchSize: 40,
      beforeCommit: ({ toPosition }) => {
        if (toPosition > 200 && failures < 3) {
          failures += 1;
          return Promise.reject(new Error('killed mid-batch'));
        }
        return Promise.resolve();
      },
    });
    await append(600);
    await caughtUp();
    expect(failures).toBe(3);
    expect(withoutTimes(await liveRows())).toEqual(await expectedRows());
  });

  it('lets only one of two instances project, and neither doubles a count', async () => {
    const first = startProjector({ batchSize: 30 });
    const second = startProjector({ batchSize: 30 });
    await append(400);
    await caughtUp();
    // The embedded database is one session: advisory locks cannot elect there (its lock file keeps a
    // second process out), and the checkpoint fence alone keeps the counts exact.
    if (db.kind === 'server') {
      expect([first.status().state, second.status().state].sort()).toEqual(['leader', 'standby']);
    }
    await (first.status().state === 'leader' ? first : second).stop();
    await append(200);
    await caughtUp();
    expect(withoutTimes(await liveRows())).toEqual(await expectedRows());
  });

  it('refuses a batch when another writer moved its checkpoint (the fence against a stale projector)', async () => {
    const errors: string[] = [];
    startProjector({ logger: { log: () => undefined, warn: () => undefined, error: (m) => errors.push(m) } });
    await append(20);
    await caughtUp();
    // A stale projector, say, moved the checkpoint behind this one's back.
    await db.pool.query(`UPDATE projection_checkpoints SET position = 5 WHERE name = 'test-counts'`);
    await append(10);
    await until(() => errors.length > 0, { timeoutMs: 30_000 });
    expect(errors[0]).toMatch(/checkpoint moved under this projector: 0 of 1 advanced/);
    const total = async () =>
      (await db.pool.query<{ count: number }>(`SELECT sum(count)::int AS count FROM proj_test_counts`))
        .rows[0]!.count;
    // The refused batch (events 21..30) wrote none of its rows.
    expect(await total()).toBe(20);
    // The projector then reloads from the checkpoint it finds and refolds from the ledger: rows are exact.
    await caughtUp();
    expect(await total()).toBe(30);
  });

  it('rebuilds into a fresh generation while live rows keep serving, swaps, and proves the rows equal', async () => {
    const projector = startProjector({ batchSize: 25 });
    await append(500);
    await caughtUp();
    const rebuilt = new Promise((resolve) => projector.onRebuilt((_name, report) => resolve(report)));
    await catalog.requestRebuild(db.pool, 'test-counts', 1);
    const writing = append(300, 3);
    await expect(catalog.requestRebuild(db.pool, 'test-counts', 1)).rejects.toThrow(/already being rebuilt/);
    await writing;
    const report = (await rebuilt) as Record<string, unknown>;
    expect(report).toMatchObject({
      generation: 2,
      matches: true,
      tableMatchesFold: true,
      rows: TYPES.length,
    });
    expect(report.checksum).toBe(report.liveChecksum);
    await caughtUp();
    const entry = (await catalog.get(db.pool, 'test-counts'))!;
    expect(entry).toMatchObject({ liveGeneration: 2, buildingGeneration: null });
    expect(entry.lastRebuild).toMatchObject({ matches: true });
    expect(withoutTimes(await liveRows())).toEqual(await expectedRows());
    const { rows } = await db.pool.query('SELECT DISTINCT generation FROM proj_test_counts');
    expect(rows).toEqual([{ generation: 2 }]);
  });

  it('resumes a rebuild that a crash interrupted, and still proves it equal', async () => {
    await append(400);
    await until(async () => (await store.head()).position === 400, { timeoutMs: 30_000 });
    let crashed = false;
    const first = startProjector({
      batchSize: 10,
      beforeCommit: ({ rebuild, toPosition }) => {
        if (rebuild && toPosition > 150 && !crashed) {
          crashed = true;
          void first.stop();
          return Promise.reject(new Error('killed mid-rebuild'));
        }
        return Promise.resolve();
      },
    });
    await caughtUp();
    await catalog.requestRebuild(db.pool, 'test-counts', 1);
    await until(() => crashed, { timeoutMs: 30_000 });
    await first.stop();
    const interrupted = (await catalog.get(db.pool, 'test-counts'))!;
    expect(interrupted.buildingGeneration).toBe(2);
    expect(interrupted.buildingPosition).toBeGreaterThan(0);
    expect(interrupted.buildingPosition).toBeLessThan(400);

    const second = startProjector({ batchSize: 10 });
    const report = await new Promise<Record<string, unknown>>((resolve) =>
      second.onRebuilt((_name, r) => resolve(r)),
    );
    expect(report).toMatchObject({ generation: 2, position: 400, matches: true, tableMatchesFold: true });
  });

  it('rebuilds by itself when the code is of another version, serving the old rows until the swap', async () => {
    const v1 = startProjector();
    await append(120);
    await caughtUp();
    await v1.stop();
    const v2 = startProjector({ models: [countsModel(2)] });
    const report = await new Promise<Record<string, unknown>>((resolve) =>
      v2.onRebuilt((_n, r) => resolve(r)),
    );
    expect(report).toMatchObject({ generation: 2, matches: null, tableMatchesFold: true });
    const doubled = (await expectedRows()).map((row) => ({ ...row, count: row.count * 2 }));
    expect(withoutTimes(await liveRows())).toEqual(doubled);
  });

  it('folds any past position from snapshots identically to a fold from genesis', async () => {
    startProjector({ batchSize: 20, snapshotEvery: 50 });
    await append(400);
    await caughtUp();
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM projection_snapshots');
    expect(rows[0].n).toBeGreaterThanOrEqual(7);
    const model = countsModel();
    for (const position of [0, 1, 49, 50, 51, 199, 333, 400]) {
      const fromSnapshot = await foldThrough(db.pool, store, model, position);
      const fromGenesis = await foldThrough(db.pool, store, model, position, { useSnapshots: false });
      expect(rowsChecksum(model.rows(fromSnapshot.state as Map<string, CountRow>))).toEqual(
        rowsChecksum(model.rows(fromGenesis.state as Map<string, CountRow>)),
      );
      expect(withoutTimes(model.rows(fromSnapshot.state as Map<string, CountRow>))).toEqual(
        await expectedRows(position),
      );
    }
  });

  it('folds "as of a time" over the prefix of entries recorded by then', async () => {
    startProjector({ batchSize: 20, snapshotEvery: 40 });
    await append(100);
    await sleep(30);
    const between = new Date().toISOString();
    await sleep(30);
    await append(100);
    await caughtUp();
    const model = countsModel();
    const fold = await foldRecordedBy(db.pool, store, model, between);
    expect(fold.position).toBe(100);
    expect(withoutTimes(model.rows(fold.state as Map<string, CountRow>))).toEqual(await expectedRows(100));
    const before = await foldRecordedBy(db.pool, store, model, '2000-01-01T00:00:00.000Z');
    expect(before.position).toBe(0);
  });
});
