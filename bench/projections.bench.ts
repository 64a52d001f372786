import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { CommandExecutor } from '@ledger/commands';
import type { LedgerCommand } from '@ledger/domain';
import { LedgerSignals, PostgresEventStore } from '@ledger/event-store';
import { catalog, ProjectionReader, Projector, type RebuildReport, readModels } from '@ledger/projections';
import { withPool, withSequencer } from './support/database.js';
import { domainAppends } from './support/domain-ledger.js';
import { progress } from './support/progress.js';
import { perSecond, summarize, type LatencySummary } from './support/stats.js';

const WRITERS = 8;
const EVENTS_PER_APPEND = 100;
const LAG_RATE = 200;
const AS_OF_SAMPLES = 20;

export interface ProjectionBench extends BuildBench {
  lag: LagRun;
}

export interface BuildBench {
  events: number;
  /** Plain keyset SELECT of the ledger rows (position, entry), pages of 2000: the ordered read baseline. */
  plainRead: number;
  /** The store's own ordered read (entries parsed into events): what the projector reads through. */
  storeRead: number;
  /** The live projector following the ledger from position 0 to the head (all four read models). */
  initialBuild: number;
  /** All four rebuilt at once into fresh generations, checksums compared, swapped in. */
  rebuild: { perSecond: number; seconds: number; reports: RebuildReport[] };
  snapshots: { count: number; megabytes: number };
  /** atPosition reads of allocations at random points, each from a cold cache. */
  asOf: LatencySummary & { max: number };
  /** asOf (a time) reads of allocations at random points. */
  asOfTime: LatencySummary & { max: number };
}

export interface LagRun {
  rate: number;
  achieved: number;
  seconds: number;
  lag: LatencySummary;
  refused: number;
}

/** Read models over a generated ledger of `events` domain events: build, rebuild, as-of reads. */
export async function benchProjections(url: string, events: number): Promise<BuildBench> {
  progress(`projections: generating a domain ledger of ${events} events`);
  await generate(url, events);
  const built = await withPool(url, 6, async (pool) => {
    await pool.query('VACUUM ANALYZE');
    const store = new PostgresEventStore(pool);
    progress('projections: plain ordered read of the ledger rows');
    const plainRead = await plainReadRate(pool, events);
    const storeRead = await storeReadRate(store, events);
    progress('projections: the projector follows the ledger from 0 (all four read models)');
    const projector = new Projector(url, pool, { models: readModels });
    try {
      const started = performance.now();
      projector.start();
      await until(
        async () =>
          (await catalog.list(pool)).length === readModels.length &&
          (await catalog.list(pool)).every((e) => e.livePosition >= events),
      );
      const initialBuild = perSecond(events, performance.now() - started);
      progress('projections: rebuilding all four at once');
      const rebuild = await rebuildAll(pool, projector);
      const { rows } = await pool.query<{ count: number; bytes: string }>(
        'SELECT count(*)::int AS count, coalesce(sum(octet_length(state)), 0) AS bytes FROM projection_snapshots',
      );
      progress('projections: as-of reads deep in the history');
      const asOf = await asOfReads(pool, store, events, 'position');
      const asOfTime = await asOfReads(pool, store, events, 'time');
      return {
        plainRead,
        storeRead,
        initialBuild,
        rebuild,
        snapshots: { count: rows[0]!.count, megabytes: Number(rows[0]!.bytes) / 1e6 },
        asOf,
        asOfTime,
      };
    } finally {
      await projector.stop();
    }
  });
  return { events, ...built };
}

async function generate(url: string, events: number): Promise<void> {
  const signals = new LedgerSignals();
  await withSequencer(url, { signals, batchSize: 5_000 }, () =>
    withPool(url, WRITERS + 2, async (pool) => {
      const store = new PostgresEventStore(pool, { signals });
      const chunks = domainAppends(events, EVENTS_PER_APPEND);
      let n = 0;
      await Promise.all(
        Array.from({ length: WRITERS }, async () => {
          for (let next = chunks.next(); !next.done; next = chunks.next()) {
            await store.append({ streamId: `bench-${n++ % 64}`, expectedVersion: 'any', events: next.value });
          }
        }),
      );
      await until(async () => (await store.head()).position >= events, 600_000);
    }),
  );
}

async function plainReadRate(pool: pg.Pool, events: number): Promise<number> {
  const started = performance.now();
  let after = 0;
  let read = 0;
  for (;;) {
    const { rows } = await pool.query<{ position: string; entry: string }>(
      'SELECT position, entry FROM ledger WHERE position > $1 ORDER BY position LIMIT 2000',
      [after],
    );
    if (rows.length === 0) break;
    read += rows.length;
    after = Number(rows[rows.length - 1]!.position);
  }
  if (read !== events) throw new Error(`read ${read} rows, expected ${events}`);
  return perSecond(read, performance.now() - started);
}

async function storeReadRate(store: PostgresEventStore, events: number): Promise<number> {
  const started = performance.now();
  let read = 0;
  for (let after = 0; ;) {
    const page = await store.readLedgerPage(after, 2000);
    if (page.length === 0) break;
    read += page.length;
    after = page[page.length - 1]!.position;
  }
  if (read !== events) throw new Error(`read ${read} events, expected ${events}`);
  return perSecond(read, performance.now() - started);
}

async function rebuildAll(pool: pg.Pool, projector: Projector): Promise<ProjectionBench['rebuild']> {
  const reports = new Map<string, RebuildReport>();
  const unsubscribe = projector.onRebuilt((name, report) => reports.set(name, report));
  const started = performance.now();
  for (const model of readModels) await catalog.requestRebuild(pool, model.name, model.version);
  await until(() => reports.size === readModels.length, 1_800_000);
  const seconds = (performance.now() - started) / 1000;
  unsubscribe();
  const list = readModels.map((model) => reports.get(model.name)!);
  const position = Math.max(...list.map((r) => r.position));
  for (const report of list) {
    if (report.matches !== true || !report.tableMatchesFold) {
      throw new Error(
        `rebuild of generation ${report.generation} did not prove equal: ${JSON.stringify(report)}`,
      );
    }
  }
  return { perSecond: position / seconds, seconds, reports: list };
}

async function asOfReads(
  pool: pg.Pool,
  store: PostgresEventStore,
  events: number,
  by: 'position' | 'time',
): Promise<LatencySummary & { max: number }> {
  const samples: number[] = [];
  for (let i = 0; i < AS_OF_SAMPLES; i++) {
    // Spread over the whole history, deep ones included; a fresh reader each time (no cache).
    const position = Math.max(1, Math.floor(((i + 0.5) / AS_OF_SAMPLES) * events) - 7 * i);
    const reader = new ProjectionReader(pool, store, readModels);
    let point: Parameters<ProjectionReader['read']>[2];
    if (by === 'position') point = { kind: 'at-position', position };
    else {
      const [event] = await store.readLedgerPage(position - 1, 1);
      point = { kind: 'as-of', time: event!.recordedAt };
    }
    const started = performance.now();
    const answer = await reader.read('allocations', { limit: 100 }, point);
    samples.push(performance.now() - started);
    if (by === 'position' && answer.position !== position)
      throw new Error('as-of read at the wrong position');
  }
  return { ...summarize(samples), max: Math.max(...samples) };
}

/** Releases at a steady rate; lag = from the command's answer to the allocations read model reaching it. */
export async function benchProjectionLag(url: string, seconds: number): Promise<LagRun> {
  progress(`projections: lag at ${LAG_RATE} commands/s for ${seconds} s`);
  const signals = new LedgerSignals();
  return withSequencer(url, { signals }, () =>
    withPool(url, 24, async (pool) => {
      const store = new PostgresEventStore(pool, { signals });
      const executor = new CommandExecutor(store);
      const projector = new Projector(url, pool, { models: readModels, signals });
      const context = () => {
        const id = randomUUID();
        return { actor: 'bench', role: 'admin', correlationId: id, causationId: id, commandId: id };
      };
      const run = (command: LedgerCommand) => executor.execute(command, context());
      const firms = Array.from({ length: 10 }, (_, i) => `lag-${i}`);
      const skus = ['H200', 'H20'];
      for (const sku of skus) {
        await run({ type: 'RegisterProduct', data: { sku, name: sku, vendor: 'Nvidia', origin: 'foreign' } });
        await run({
          type: 'GrantExportLicense',
          data: { licenseId: `l-${sku}`, sku, vendor: 'Nvidia', destination: 'CN' },
        });
        await run({ type: 'RecordSupply', data: { supplyId: `s-${sku}`, sku, quantity: 100_000_000 } });
      }
      for (const firmId of firms) {
        await run({ type: 'RegisterFirm', data: { firmId, name: firmId, jurisdiction: 'CN' } });
        for (const sku of skus) {
          await run({
            type: 'PlaceOrder',
            data: { orderId: `o-${firmId}-${sku}`, firmId, sku, quantity: 100_000_000 },
          });
          await run({
            type: 'GrantApproval',
            data: { approvalId: `a-${firmId}-${sku}`, batchId: 'b1', firmId, sku, quota: 100_000_000 },
          });
        }
      }
      let projected = 0;
      const waiters: { position: number; resolve: () => void }[] = [];
      projector.onProgress((name, position) => {
        if (name !== 'allocations') return;
        projected = position;
        for (let i = waiters.length - 1; i >= 0; i--) {
          if (waiters[i]!.position <= position) waiters.splice(i, 1)[0]!.resolve();
        }
      });
      projector.start();
      try {
        const lags: number[] = [];
        let refused = 0;
        const inFlight: Promise<void>[] = [];
        const started = performance.now();
        const total = Math.round(LAG_RATE * seconds);
        for (let i = 0; i < total; i++) {
          const due = started + (i * 1000) / LAG_RATE;
          const wait = due - performance.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          const firmId = firms[i % firms.length]!;
          const sku = skus[Math.floor(i / firms.length) % skus.length]!;
          inFlight.push(
            run({
              type: 'ReleaseShipment',
              data: { shipmentId: `ship-${i}`, orderId: `o-${firmId}-${sku}`, quantity: 1 },
            }).then(
              async (answer) => {
                const accepted = performance.now();
                if (projected < answer.position) {
                  await new Promise<void>((resolve) => waiters.push({ position: answer.position, resolve }));
                }
                lags.push(performance.now() - accepted);
              },
              () => {
                refused += 1;
              },
            ),
          );
        }
        await Promise.all(inFlight);
        const elapsed = performance.now() - started;
        return {
          rate: LAG_RATE,
          achieved: perSecond(total - refused, elapsed),
          seconds,
          lag: summarize(lags),
          refused,
        };
      } finally {
        await projector.stop();
      }
    }),
  );
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 600_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error('bench: condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The projections table of the report. */
export function projectionTable(
  result: ProjectionBench,
  render: (header: string[], rows: string[][]) => string,
): string {
  const n = (value: number) => Math.round(value).toLocaleString('en-US');
  const ms = (value: number) => value.toFixed(value < 10 ? 2 : 1);
  const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
  const rebuildRatio = result.rebuild.perSecond / result.plainRead;
  const rows: string[][] = [
    [
      `plain ordered read of the ledger rows (${n(result.events)} events)`,
      `${n(result.plainRead)} ev/s`,
      '',
      'baseline',
    ],
    [
      'the store’s ordered read, entries parsed into events',
      `${n(result.storeRead)} ev/s`,
      `${(result.storeRead / result.plainRead).toFixed(2)}x`,
      'what the projector reads through',
    ],
    [
      'projector from position 0, four read models',
      `${n(result.initialBuild)} ev/s`,
      `${(result.initialBuild / result.plainRead).toFixed(2)}x`,
      '',
    ],
    [
      'rebuild of all four at once (fresh generations, checksums, swap)',
      `${n(result.rebuild.perSecond)} ev/s (${result.rebuild.seconds.toFixed(1)} s)`,
      `${rebuildRatio.toFixed(2)}x`,
      `>= 20,000 ev/s: ${verdict(result.rebuild.perSecond >= 20_000)}; every rebuild equal to live: ${result.rebuild.reports.every((r) => r.matches) ? 'yes' : 'NO'}`,
    ],
    [
      `lag, command accepted -> visible in allocations, ${result.lag.rate} cmd/s for ${result.lag.seconds} s`,
      `p50 ${ms(result.lag.lag.p50)} ms, p99 ${ms(result.lag.lag.p99)} ms`,
      '',
      `achieved ${n(result.lag.achieved)} cmd/s, ${result.lag.refused} refused; p99 < 100 ms: ${verdict(result.lag.lag.p99 < 100)}`,
    ],
    [
      `allocations atPosition, ${result.asOf.count} points across the history (cold)`,
      `p50 ${ms(result.asOf.p50)} ms, p99 ${ms(result.asOf.p99)} ms, max ${ms(result.asOf.max)} ms`,
      '',
      `< 1 s: ${verdict(result.asOf.max < 1_000)}`,
    ],
    [
      `allocations asOf (a time), ${result.asOfTime.count} points (cold)`,
      `p50 ${ms(result.asOfTime.p50)} ms, p99 ${ms(result.asOfTime.p99)} ms, max ${ms(result.asOfTime.max)} ms`,
      '',
      `< 1 s: ${verdict(result.asOfTime.max < 1_000)}`,
    ],
    [
      'snapshots kept (every 25,000 positions per read model)',
      `${result.snapshots.count}, ${result.snapshots.megabytes.toFixed(1)} MB`,
      '',
      '',
    ],
  ];
  return render(['projections', 'result', 'vs read', 'target / note'], rows);
}
