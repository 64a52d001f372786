import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportBundle } from '@ledger/audit';
import { CommandExecutor, runSeed } from '@ledger/commands';
import { createTestDatabase, type TestDatabase } from '@ledger/database/testing';
import { LedgerSignals, PostgresEventStore, Sequencer } from '@ledger/event-store';
import { backlogTotal, type BacklogRow, catalog, ProjectionReader, readModels } from '@ledger/projections';
import { runRebuild, runReplay } from './projections.js';
import { captureIo } from '../testing/capture-io.js';

describe('ledger replay and ledger rebuild', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let work: string;
  let head: number;
  let middle: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const signals = new LedgerSignals();
    store = new PostgresEventStore(db.pool, { signals });
    const sequencer = new Sequencer(db.url, { signals });
    sequencer.start();
    const steps = (await import('@ledger/commands')).seedScenario;
    const executor = new CommandExecutor(store);
    const first = await runSeed(executor, { steps: steps.slice(0, 20) });
    await new Promise((resolve) => setTimeout(resolve, 30));
    middle = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 30));
    const rest = await runSeed(executor, { steps: steps.slice(20) });
    expect(first.halted ?? rest.halted).toBeNull();
    head = rest.position;
    await sequencer.stop();
    work = await mkdtemp(join(tmpdir(), 'ledger-replay-'));
    await exportBundle(db.pool, join(work, 'bundle'), { createdAt: new Date().toISOString() });
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
    await db.close();
  });

  /** What the service answers for every read model at that point (the as-of read path). */
  async function serviceAnswer(
    point: { kind: 'at-position'; position: number } | { kind: 'as-of'; time: Date },
  ) {
    const reader = new ProjectionReader(db.pool, store, readModels);
    const projections: Record<string, unknown> = {};
    let position = 0;
    for (const model of readModels) {
      const answer = await reader.read(model.name, { limit: 1000 }, point);
      position = answer.position;
      projections[model.name] =
        model.name === 'backlog'
          ? { items: answer.items, total: backlogTotal(answer.items as BacklogRow[]) }
          : { items: answer.items };
    }
    return { position, projections };
  }

  it.each([
    ['the database', [] as string[]],
    ['a bundle', ['--bundle']],
  ])(
    'replays from %s to the same read models the service shows at that position and time',
    async (_from, flag) => {
      const source = flag.length > 0 ? [...flag, join(work, 'bundle')] : [];
      for (const position of [5, 23, head]) {
        const { io, out } = captureIo();
        expect(
          await runReplay(
            ['--at-position', String(position), '--json', ...source],
            { DATABASE_URL: db.url },
            io,
          ),
        ).toBe(0);
        expect(JSON.parse(out.join('\n'))).toEqual(await serviceAnswer({ kind: 'at-position', position }));
      }
      const { io, out } = captureIo();
      expect(await runReplay(['--as-of', middle, '--json', ...source], { DATABASE_URL: db.url }, io)).toBe(0);
      const replayed = JSON.parse(out.join('\n'));
      expect(replayed.position).toBeGreaterThan(5);
      expect(replayed.position).toBeLessThan(head);
      expect(replayed).toEqual(await serviceAnswer({ kind: 'as-of', time: new Date(middle) }));
    },
  );

  it('prints the read models as tables, and refuses bad arguments with a usage error', async () => {
    const { io, out } = captureIo();
    expect(
      await runReplay(
        ['--at-position', String(head), '--projection', 'backlog'],
        { DATABASE_URL: db.url },
        io,
      ),
    ).toBe(0);
    expect(out[0]).toBe(`read models as of position ${head}`);
    expect(out.join('\n')).toMatch(/^H200\s+2,050,000/m);
    expect(out.join('\n')).toMatch(/^\*\s+/m);
    for (const args of [
      [],
      ['--at-position', 'x'],
      ['--at-position', '1', '--as-of', '2026-01-01T00:00:00Z'],
      ['--as-of', '2026-01-01'],
    ]) {
      expect(await runReplay(args, { DATABASE_URL: db.url }, captureIo().io)).toBe(2);
    }
    const beyond = captureIo();
    expect(await runReplay(['--at-position', String(head + 1)], { DATABASE_URL: db.url }, beyond.io)).toBe(1);
    expect(beyond.err[0]).toMatch(/ends at position/);
  });

  it('rebuilds a projection, following its progress, and reports the checksum proof', async () => {
    const { io, out, err } = captureIo();
    expect(await runRebuild(['orders', 'backlog'], { DATABASE_URL: db.url }, io)).toBe(0);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/^orders: generation 2 live at position \d+, \d+ rows, checksum [0-9a-f]{64}, /);
    expect(err.some((line) => line.includes('rebuilding orders'))).toBe(true);
    const entry = (await catalog.get(db.pool, 'orders'))!;
    expect(entry.lastRebuild).toMatchObject({ matches: true, tableMatchesFold: true });
    expect(out[0]).toMatch(/equal to the live rows/);
    expect(entry.liveGeneration).toBe(2);
    expect(await runRebuild(['nothing'], { DATABASE_URL: db.url }, captureIo().io)).toBe(2);
  });
});
