import { EventEmitter } from 'node:events';
import type pg from 'pg';
import {
  LedgerSignals,
  PostgresEventStore,
  runForLeadership,
  WakeUp,
  type LeaderState,
  type LeaderStatus,
} from '@ledger/event-store';
import type { ReadModel } from '../read-model.js';
import { catalog, type CatalogEntry, type RebuildReport } from './catalog.js';
import { Fold, foldThrough, projected } from './fold.js';
import { ModelTable, rowsChecksum } from './projection-tables.js';
import { snapshots } from './snapshots.js';

export interface ProjectorLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface ProjectorOptions {
  models: readonly ReadModel[];
  /** Ledger events per transaction (default 2000). */
  batchSize?: number;
  /** A snapshot of each model every this many positions (default 25,000): as-of reads replay less. */
  snapshotEvery?: number;
  /** Longest wait between polls when idle; an in-process stamp wakes it sooner (default 50 ms). */
  idleMs?: number;
  /**
   * Shortest time between the starts of two live batches that are not full (default 25 ms). Under a steady
   * stream of commands the projector then takes what a few stamps brought in one read and one write,
   * instead of a read, a write and an empty read per stamp; what a read waits for is the lag, not the work.
   */
  liveIntervalMs?: number;
  /** How often a standby instance tries to lead (default 1000 ms). */
  standbyMs?: number;
  signals?: LedgerSignals;
  logger?: ProjectorLogger;
  /** Fault injection for tests: runs inside a batch's transaction, after its rows are written. */
  beforeCommit?: (batch: { projections: string[]; toPosition: number; rebuild: boolean }) => Promise<void>;
}

export type ProjectorState = LeaderState;

export interface ProjectorStatus extends LeaderStatus {
  /** Per projection: the live position this instance has applied (leader only). */
  positions: Record<string, number>;
}

interface Track {
  fold: Fold;
  table: ModelTable;
  generation: number;
  /** Live rows of another model version: they keep serving, frozen, until a rebuild replaces them. */
  frozen: boolean;
}

interface Rebuild extends Track {
  startedAt: Date;
  startPosition: number;
  startedMs: number;
}

/**
 * Follows the ledger and keeps every read model's rows: for each batch of stamped events it folds each
 * model in memory and writes the rows that changed together with the model's checkpoint, in one
 * transaction, so an event is applied exactly once even across crashes. Rebuilds run in the same loop into
 * a fresh generation of rows and swap in atomically once they have caught up with the live ones.
 *
 * Only the instance holding the advisory lock projects; the checkpoint is advanced by compare-and-set,
 * so even a stale leader cannot apply a batch twice.
 */
export class Projector {
  private readonly models: readonly ReadModel[];
  private readonly batchSize: number;
  private readonly snapshotEvery: number;
  private readonly idleMs: number;
  private readonly liveIntervalMs: number;
  private readonly standbyMs: number;
  private readonly signals: LedgerSignals;
  private readonly logger: ProjectorLogger;
  private readonly progress = new EventEmitter().setMaxListeners(0);
  private readonly store: PostgresEventStore;
  private client: pg.Client | null = null;
  private live = new Map<string, Track>();
  private rebuilds = new Map<string, Rebuild>();
  private running: Promise<void> | null = null;
  private stopping = new AbortController();
  /** Its pauses end at a stop; nothing else cuts them short (the projector waits on stamps otherwise). */
  private wakeUp = new WakeUp(this.stopping.signal);
  private lastCatalogCheck = 0;
  private readonly current: ProjectorStatus = {
    state: 'stopped',
    lastError: null,
    heartbeatAt: 0,
    positions: {},
  };

  constructor(
    private readonly url: string,
    readPool: pg.Pool,
    private readonly options: ProjectorOptions,
  ) {
    this.models = options.models;
    this.batchSize = options.batchSize ?? 2_000;
    this.snapshotEvery = options.snapshotEvery ?? 25_000;
    this.idleMs = options.idleMs ?? 50;
    this.liveIntervalMs = options.liveIntervalMs ?? 25;
    this.standbyMs = options.standbyMs ?? 1_000;
    this.signals = options.signals ?? new LedgerSignals();
    this.logger = options.logger ?? { log: () => undefined, warn: () => undefined, error: () => undefined };
    this.store = new PostgresEventStore(readPool, { signals: this.signals });
  }

  status(): ProjectorStatus {
    return { ...this.current, positions: { ...this.current.positions } };
  }

  /** Calls `listener` after each committed batch of live rows (name, position). Returns an unsubscribe. */
  onProgress(listener: (name: string, position: number) => void): () => void {
    this.progress.on('progress', listener);
    return () => this.progress.off('progress', listener);
  }

  start(): void {
    if (this.running) return;
    this.stopping = new AbortController();
    this.wakeUp = new WakeUp(this.stopping.signal);
    this.current.state = 'standby';
    this.current.heartbeatAt = Date.now();
    this.running = this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
    this.running = null;
  }

  /** Calls `listener` when a rebuild has swapped in. Returns an unsubscribe. */
  onRebuilt(listener: (name: string, report: RebuildReport) => void): () => void {
    this.progress.on('rebuilt', listener);
    return () => this.progress.off('rebuilt', listener);
  }

  /** One projector per database (see runForLeadership); each leadership starts from the checkpoints. */
  private run(): Promise<void> {
    return runForLeadership(
      this.url,
      {
        name: 'projector',
        lead: (client) => {
          this.client = client;
          return this.lead();
        },
        released: () => {
          this.client = null;
          this.live.clear();
          this.rebuilds.clear();
        },
        sleep: (ms) => this.wakeUp.pause(ms),
      },
      this.current,
      this.stopping.signal,
      {
        standbyMs: this.standbyMs,
        retryMs: 250,
        onFailure: 'restarting from the checkpoints',
        logger: this.logger,
      },
    );
  }

  private get db(): pg.Client {
    if (!this.client) throw new Error('projector is not connected');
    return this.client;
  }

  private async lead(): Promise<void> {
    await catalog.register(this.db, this.models);
    for (const entry of await catalog.list(this.db)) {
      const model = this.models.find((m) => m.name === entry.name);
      if (!model) continue;
      await this.load(model, entry);
    }
    while (!this.stopping.signal.aborted) {
      this.current.heartbeatAt = Date.now();
      if (Date.now() - this.lastCatalogCheck >= 250) await this.pickUpRebuilds();
      const started = performance.now();
      const applied = await this.liveBatch();
      let rebuilt = false;
      if (this.rebuilds.size > 0) rebuilt = await this.rebuildBatch([...this.rebuilds.values()]);
      if (rebuilt || applied >= this.batchSize) continue;
      if (applied === 0) await this.signals.nextStamped(this.idleMs, this.stopping.signal);
      else await this.wakeUp.pause(started + this.liveIntervalMs - performance.now());
    }
  }

  /** Loads a model's live fold from its checkpoint, and resumes a rebuild that a restart interrupted. */
  private async load(model: ReadModel, entry: CatalogEntry): Promise<void> {
    const table = new ModelTable(model);
    const keep = [entry.liveGeneration, ...(entry.buildingGeneration ? [entry.buildingGeneration] : [])];
    await table.deleteOtherGenerations(this.db, keep);
    const frozen = entry.liveVersion !== model.version;
    const fold = frozen
      ? new Fold(model, model.initial(), entry.livePosition, '')
      : await foldThrough(this.db, this.store, model, entry.livePosition);
    this.live.set(model.name, { fold, table, generation: entry.liveGeneration, frozen });
    this.current.positions[model.name] = entry.livePosition;
    if (entry.buildingGeneration !== null && entry.buildingVersion !== model.version) {
      // A rebuild of another version is of no use to this code: start it again as this version.
      await this.db.query(`UPDATE projections SET building_generation = NULL WHERE name = $1`, [model.name]);
      entry = (await catalog.get(this.db, model.name))!;
    }
    if (entry.buildingGeneration === null && frozen) {
      this.logger.warn(
        `projector: ${model.name} rows are of version ${entry.liveVersion}, this code is version ${model.version}: rebuilding`,
      );
      entry = await catalog.requestRebuild(this.db, model.name, model.version);
    }
    if (entry.buildingGeneration !== null) await this.resumeRebuild(model, entry);
  }

  private async pickUpRebuilds(): Promise<void> {
    this.lastCatalogCheck = Date.now();
    for (const entry of await catalog.list(this.db)) {
      const model = this.models.find((m) => m.name === entry.name);
      if (!model || entry.buildingGeneration === null || this.rebuilds.has(entry.name)) continue;
      await this.resumeRebuild(model, entry);
    }
  }

  /** A rebuild never trusts snapshots: it folds from genesis (in memory up to its checkpoint, if resumed). */
  private async resumeRebuild(model: ReadModel, entry: CatalogEntry): Promise<void> {
    const generation = entry.buildingGeneration!;
    const position = entry.buildingPosition ?? 0;
    const fold = await foldThrough(this.db, this.store, model, position, { useSnapshots: false });
    await catalog.markRebuildStarted(this.db, model.name, generation);
    const started = (await catalog.get(this.db, model.name))!;
    this.rebuilds.set(model.name, {
      fold,
      table: new ModelTable(model),
      generation,
      frozen: false,
      startedAt: started.rebuildStartedAt ?? new Date(),
      startPosition: position,
      startedMs: performance.now(),
    });
    this.logger.log(
      `projector: rebuilding ${model.name} into generation ${generation}${position > 0 ? ` from position ${position}` : ''}`,
    );
  }

  /** Applies the next page of the ledger to every live model; returns how many events the page held. */
  private async liveBatch(): Promise<number> {
    const tracks = [...this.live.entries()].filter(([, track]) => !track.frozen);
    if (tracks.length === 0) return 0;
    const from = Math.min(...tracks.map(([, track]) => track.fold.position));
    const page = await this.store.readLedgerPage(from, this.batchSize);
    if (page.length === 0) return 0;
    const events = page.map(projected);
    const writes = tracks.map(([name, track]) => {
      const before = track.fold.position;
      const touched = track.fold.apply(events);
      return { name, track, before, touched };
    });
    await this.commitBatch(
      writes.map(({ track, before, touched }) => ({ track, before, touched })),
      false,
    );
    for (const { name, track } of writes) {
      this.current.positions[name] = track.fold.position;
      this.progress.emit('progress', name, track.fold.position);
    }
    return page.length;
  }

  /**
   * One batch of every running rebuild, from one read of the ledger, each up to its live position; swaps a
   * generation in once it has caught up with the live one.
   */
  private async rebuildBatch(rebuilds: Rebuild[]): Promise<boolean> {
    const head = rebuilds.some((r) => this.live.get(r.fold.model.name)!.frozen)
      ? (await this.store.head()).position
      : 0;
    const work = rebuilds.map((rebuild) => {
      const live = this.live.get(rebuild.fold.model.name)!;
      return {
        rebuild,
        live,
        target: live.frozen ? head : live.fold.position,
        before: rebuild.fold.position,
      };
    });
    const behind = work.filter((w) => w.before < w.target);
    if (behind.length > 0) {
      const from = Math.min(...behind.map((w) => w.before));
      const to = Math.max(...behind.map((w) => w.target));
      const page = (await this.store.readLedgerPage(from, Math.min(this.batchSize * 5, to - from))).map(
        projected,
      );
      const writes = behind.map((w) => ({
        ...w,
        touched: w.rebuild.fold.apply(page.filter((event) => event.position <= w.target)),
      }));
      await this.commitBatch(
        writes.map(({ rebuild, before, touched }) => ({ track: rebuild, before, touched })),
        true,
      );
    }
    for (const { rebuild, live, target } of work) {
      if (rebuild.fold.position >= target) await this.swap(rebuild, live);
    }
    return true;
  }

  private async swap(rebuild: Rebuild, live: Track): Promise<void> {
    const model = rebuild.fold.model;
    const rebuilt = await rebuild.table.checksum(this.db, rebuild.generation);
    const folded = rowsChecksum(model.rows(rebuild.fold.state));
    const previous = live.frozen ? null : await live.table.checksum(this.db, live.generation);
    const seconds = (performance.now() - rebuild.startedMs) / 1000;
    const report: RebuildReport = {
      generation: rebuild.generation,
      position: rebuild.fold.position,
      rows: rebuilt.rows,
      checksum: rebuilt.checksum,
      liveChecksum: previous?.checksum ?? null,
      matches: previous ? previous.checksum === rebuilt.checksum : null,
      tableMatchesFold: folded.checksum === rebuilt.checksum,
      startedAt: rebuild.startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      eventsPerSecond: Math.round((rebuild.fold.position - rebuild.startPosition) / Math.max(seconds, 1e-3)),
    };
    await this.transaction(async () => {
      if (
        !(await catalog.swap(this.db, model.name, live.generation, rebuild.generation, model.version, report))
      ) {
        throw new Error(`${model.name}: the catalog changed under the rebuild`);
      }
    });
    await live.table.deleteGeneration(this.db, live.generation);
    this.live.set(model.name, {
      fold: rebuild.fold,
      table: rebuild.table,
      generation: rebuild.generation,
      frozen: false,
    });
    this.rebuilds.delete(model.name);
    this.current.positions[model.name] = rebuild.fold.position;
    const verdict =
      report.matches === null
        ? 'nothing comparable was live'
        : report.matches
          ? 'equal to the live rows'
          : 'DIFFERENT from the live rows';
    const line = `projector: ${model.name} rebuilt at position ${report.position}: ${report.rows} rows, checksum ${report.checksum.slice(0, 12)}, ${verdict}`;
    if (report.matches === false || !report.tableMatchesFold) this.logger.warn(line);
    else this.logger.log(line);
    this.progress.emit('rebuilt', model.name, report);
    this.progress.emit('progress', model.name, rebuild.fold.position);
  }

  /**
   * Writes a batch: each track's changed rows and its checkpoint, moved from where this projector last saw
   * it (a fence). One statement, so one round trip and atomic by itself; an explicit transaction only when
   * a snapshot is due or a test hook wants to run inside it.
   */
  private async commitBatch(
    writes: { track: Track; before: number; touched: Set<string> }[],
    rebuild: boolean,
  ): Promise<void> {
    const moved = writes.filter((w) => w.track.fold.position !== w.before);
    if (moved.length === 0) return;
    const values: unknown[] = [];
    const parts: string[] = [];
    moved.forEach(({ track, touched }, i) => {
      const model = track.fold.model;
      const rows = [];
      for (const key of touched) {
        const row = model.row(track.fold.state, key);
        if (row) rows.push(row);
      }
      if (rows.length === 0) return;
      parts.push(`rows_${i} AS (${track.table.upsertStatement(values, track.generation, rows)})`);
    });
    values.push(
      JSON.stringify(
        moved.map(({ track, before }) => ({
          name: track.fold.model.name,
          generation: track.generation,
          from_position: before,
          to_position: track.fold.position,
        })),
      ),
    );
    parts.push(`moved AS (
      UPDATE projection_checkpoints c SET position = m.to_position, updated_at = now()
      FROM jsonb_to_recordset($${values.length}::jsonb)
        AS m(name text, generation integer, from_position bigint, to_position bigint)
      WHERE c.name = m.name AND c.generation = m.generation AND c.position = m.from_position
      RETURNING 1)`);
    values.push(moved.length);
    const sql = `WITH ${parts.join(',\n')}
      SELECT projection_checkpoints_moved((SELECT count(*)::int FROM moved), $${values.length})`;
    const snapshotsDue: typeof moved = [];
    for (const write of moved) {
      const { fold } = write.track;
      if (!this.snapshotDue(fold, write.before)) continue;
      // One snapshot per interval and model version is enough: a rebuild need not repeat the live one's.
      const since = Math.floor(fold.position / this.snapshotEvery) * this.snapshotEvery;
      if (!(await snapshots.existsBetween(this.db, fold.model, since, fold.position)))
        snapshotsDue.push(write);
    }
    if (snapshotsDue.length === 0 && !this.options.beforeCommit) {
      await this.db.query(sql, values);
      return;
    }
    await this.transaction(async () => {
      await this.db.query(sql, values);
      for (const { track } of snapshotsDue)
        await snapshots.save(this.db, track.fold.model, track.fold.snapshot());
      await this.options.beforeCommit?.({
        projections: moved.map((w) => w.track.fold.model.name),
        toPosition: Math.max(...moved.map((w) => w.track.fold.position)),
        rebuild,
      });
    });
  }

  private snapshotDue(fold: Fold, before: number): boolean {
    return Math.floor(fold.position / this.snapshotEvery) > Math.floor(before / this.snapshotEvery);
  }

  private async transaction(work: () => Promise<void>): Promise<void> {
    await this.db.query('BEGIN');
    try {
      await work();
      await this.db.query('COMMIT');
    } catch (error) {
      await this.db.query('ROLLBACK').catch(() => undefined);
      // The folds in memory are ahead of what committed: leave the loop and reload from the checkpoints.
      throw error;
    }
  }
}
