import { CommandExecutor, runSeed } from '@ledger/commands';
import { createTestDatabase, type TestDatabase } from '@ledger/database/testing';
import {
  type JsonObject,
  LedgerSignals,
  type NewEvent,
  PostgresEventStore,
  Sequencer,
} from '@ledger/event-store';
import { catalog, type RebuildReport } from './projector/catalog.js';
import { foldThrough } from './projector/fold.js';
import { rowsChecksum } from './projector/projection-tables.js';
import { Projector } from './projector/projector.js';
import { readModels } from './read-models/index.js';
import { randomHistory } from './read-models/testing/histories.js';
import { ProjectionReader } from './reader.js';
import { sleep, until } from '../../../test/support/wait.js';

const metadata = { actor: 'spec', role: 'admin', correlationId: 'c', causationId: 'c', commandId: 'c' };

/** The four read models of PRODUCT.md against a real ledger, live, rebuilt and as of past positions. */
describe('the read models on a real ledger', () => {
  let db: TestDatabase;
  let signals: LedgerSignals;
  let store: PostgresEventStore;
  let sequencer: Sequencer;
  let projector: Projector | null = null;

  beforeEach(async () => {
    db = await createTestDatabase();
    signals = new LedgerSignals();
    store = new PostgresEventStore(db.pool, { signals });
    sequencer = new Sequencer(db.url, { signals, standbyMs: 100 });
    sequencer.start();
  });
  afterEach(async () => {
    await projector?.stop();
    projector = null;
    await sequencer.stop();
    await db.close();
  });

  async function projectedTo(position: number): Promise<void> {
    await until(async () => (await store.head()).position >= position, { timeoutMs: 60_000 });
    await until(
      async () =>
        (await catalog.list(db.pool)).every(
          (entry) => entry.livePosition >= position && entry.buildingGeneration === null,
        ),
      { timeoutMs: 60_000 },
    );
  }

  async function rebuildAll(): Promise<RebuildReport[]> {
    const reports = new Map<string, RebuildReport>();
    const unsubscribe = projector!.onRebuilt((name, report) => reports.set(name, report));
    for (const model of readModels) await catalog.requestRebuild(db.pool, model.name, model.version);
    await until(() => reports.size === readModels.length, { timeoutMs: 60_000 });
    unsubscribe();
    return readModels.map((model) => reports.get(model.name)!);
  }

  it('after a randomised history of thousands of commands, with crashes mid-batch: live = fold = rebuild, and as-of = what live showed', async () => {
    const history = await randomHistory(7, 3_000);
    expect(history.length).toBeGreaterThan(2_000);
    let crashes = 0;
    projector = new Projector(db.url, db.pool, {
      models: readModels,
      signals,
      batchSize: 97,
      snapshotEvery: 400,
      idleMs: 10,
      beforeCommit: ({ toPosition, rebuild }) =>
        !rebuild && toPosition > 500 * (crashes + 1) && crashes < 3
          ? Promise.reject(new Error(`killed mid-batch #${++crashes}`))
          : Promise.resolve(),
    });
    projector.start();
    const reader = new ProjectionReader(db.pool, store, readModels, { projector });

    // Writers append the history in order while a service keeps reading the live read models.
    const seen: { name: string; position: number; items: JsonObject[] }[] = [];
    let writing = true;
    const watching = (async () => {
      while (writing) {
        for (const model of readModels) {
          const live = await reader.read(model.name, { limit: 1000 });
          if (live.position > 0) seen.push({ name: model.name, position: live.position, items: live.items });
        }
        await sleep(40);
      }
    })();
    for (let i = 0; i < history.length; i += 10) {
      await store.append([
        {
          streamId: `history-${i % 7}`,
          expectedVersion: 'any',
          events: history
            .slice(i, i + 10)
            .map(({ event }): NewEvent => ({ type: event.type, data: event.data, metadata })),
        },
      ]);
    }
    await projectedTo(history.length);
    writing = false;
    await watching;
    expect(crashes).toBe(3);
    expect(seen.length).toBeGreaterThan(20);

    // Live rows equal a fold of the whole ledger from genesis.
    for (const model of readModels) {
      const fold = await foldThrough(db.pool, store, model, history.length, { useSnapshots: false });
      const live = await reader.read(model.name, { limit: 1000 });
      expect(live.position).toBe(history.length);
      expect(rowsChecksum(live.items)).toEqual(rowsChecksum(model.rows(fold.state)));
      expect(live.items.length).toBeGreaterThan(0);
    }

    // Every past state a reader was shown is what atPosition answers now.
    for (const { name, position, items } of seen) {
      const past = await reader.read(name, { limit: 1000 }, { kind: 'at-position', position });
      expect({ name, position, checksum: rowsChecksum(past.items) }).toEqual({
        name,
        position,
        checksum: rowsChecksum(items),
      });
    }

    // A rebuild of every read model equals the live rows at the same position.
    for (const report of await rebuildAll()) {
      expect(report).toMatchObject({ matches: true, tableMatchesFold: true });
      expect(report.checksum).toBe(report.liveChecksum);
    }
  });

  it('rebuilds equal to live after the seed scenario', async () => {
    projector = new Projector(db.url, db.pool, { models: readModels, signals, idleMs: 10 });
    projector.start();
    const report = await runSeed(new CommandExecutor(store));
    expect(report.halted).toBeNull();
    await projectedTo(report.position);
    const reports = await rebuildAll();
    for (const rebuilt of reports) expect(rebuilt).toMatchObject({ matches: true, tableMatchesFold: true });
    expect(reports.map((r) => r.rows).reduce((a, b) => a + b, 0)).toBeGreaterThan(10);
  });
});
