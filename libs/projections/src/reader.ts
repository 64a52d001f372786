import type pg from 'pg';
import type { JsonObject, PostgresEventStore } from '@ledger/event-store';
import type { ReadModel } from './read-model.js';
import { catalog } from './projector/catalog.js';
import { foldRecordedBy, foldThrough, type Fold } from './projector/fold.js';
import { ModelTable, pageRows, type RowPage, type RowQuery } from './projector/projection-tables.js';
import type { Projector } from './projector/projector.js';

interface FoldedRows {
  position: number;
  rows: JsonObject[];
}

/** Which state of a read model to answer from: the live rows (optionally at least at a position), or a past one. */
export type ReadPoint =
  | { kind: 'live'; minPosition?: number; waitMs?: number }
  | { kind: 'at-position'; position: number }
  | { kind: 'as-of'; time: Date };

export interface ReadResult extends RowPage {
  /** The ledger position the answer reflects: every entry up to it, none after. */
  position: number;
}

/** The live rows have not reached `minPosition` within the wait. */
export class PositionNotReachedError extends Error {
  constructor(
    readonly projection: string,
    readonly requested: number,
    readonly position: number,
    readonly waitedMs: number,
  ) {
    super(
      `${projection} reflects the ledger up to position ${position}; position ${requested} was not reached within ${waitedMs} ms`,
    );
  }
}

/** A past position the ledger has not reached yet. */
export class PositionBeyondLedgerError extends Error {
  constructor(
    readonly requested: number,
    readonly ledgerPosition: number,
  ) {
    super(`the ledger ends at position ${ledgerPosition}; position ${requested} does not exist yet`);
  }
}

export class UnknownProjectionError extends Error {
  constructor(readonly projection: string) {
    super(`no read model named ${projection}`);
  }
}

export interface ProjectionReaderOptions {
  /** The in-process projector, if any: its progress answers a minPosition wait without polling. */
  projector?: Projector;
  /** How long a minPosition read waits at most (default 5000 ms). */
  defaultWaitMs?: number;
  /** As-of states kept in memory, most recently used first (default 16). */
  cacheSize?: number;
}

/**
 * Reads read models: live rows from their tables (with the position they reflect, read in one snapshot),
 * waiting for a minimum position when asked; or a past state, folded from the nearest snapshot, paged
 * exactly as the tables are.
 */
export class ProjectionReader {
  private readonly tables = new Map<string, ModelTable>();
  private readonly cache = new Map<string, Promise<FoldedRows>>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly store: PostgresEventStore,
    models: readonly ReadModel[],
    private readonly options: ProjectionReaderOptions = {},
  ) {
    for (const model of models) this.tables.set(model.name, new ModelTable(model));
  }

  model(name: string): ReadModel {
    return this.table(name).model;
  }

  async read(name: string, query: RowQuery, point: ReadPoint = { kind: 'live' }): Promise<ReadResult> {
    const table = this.table(name);
    switch (point.kind) {
      case 'live':
        return this.readLive(table, query, point.minPosition ?? 0, point.waitMs);
      case 'at-position': {
        const head = (await this.store.head()).position;
        if (point.position > head) throw new PositionBeyondLedgerError(point.position, head);
        return this.readFold(table, query, `p:${point.position}`, () =>
          foldThrough(this.pool, this.store, table.model, point.position),
        );
      }
      case 'as-of': {
        const time = point.time.toISOString();
        // A time in the future is not a stable state (more may be recorded before it): not cached.
        const cacheable = point.time.getTime() < Date.now() - 60_000;
        return this.readFold(table, query, cacheable ? `t:${time}` : null, () =>
          foldRecordedBy(this.pool, this.store, table.model, time),
        );
      }
    }
  }

  private table(name: string): ModelTable {
    const table = this.tables.get(name);
    if (!table) throw new UnknownProjectionError(name);
    return table;
  }

  private async readLive(
    table: ModelTable,
    query: RowQuery,
    minPosition: number,
    waitMs = this.options.defaultWaitMs ?? 5_000,
  ): Promise<ReadResult> {
    const first = await this.snapshotRead(table, query);
    if (first.position >= minPosition) return first;
    // Behind: wait on the checkpoint alone (one small query a turn), then read the rows once more. A live
    // position only grows, so the second read reflects at least the position waited for.
    const started = performance.now();
    for (let position = first.position; ;) {
      const left = waitMs - (performance.now() - started);
      if (left <= 0) throw new PositionNotReachedError(table.model.name, minPosition, position, waitMs);
      await this.nextProgress(table.model.name, Math.min(left, 50));
      position = (await catalog.get(this.pool, table.model.name))?.livePosition ?? 0;
      if (position >= minPosition) return this.snapshotRead(table, query);
    }
  }

  /** The live generation's checkpoint and a page of its rows, in one repeatable-read snapshot. */
  private async snapshotRead(table: ModelTable, query: RowQuery): Promise<ReadResult> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const entry = await catalog.get(client, table.model.name);
      const page = entry ? await table.page(client, entry.liveGeneration, query) : { items: [], next: null };
      await client.query('COMMIT');
      return { position: entry?.livePosition ?? 0, ...page };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async readFold(
    table: ModelTable,
    query: RowQuery,
    cacheKey: string | null,
    fold: () => Promise<Fold>,
  ): Promise<ReadResult> {
    const key = cacheKey === null ? null : `${table.model.name}:${table.model.version}:${cacheKey}`;
    let pending = key === null ? undefined : this.cache.get(key);
    if (!pending) {
      pending = fold().then((state) => ({ position: state.position, rows: table.model.rows(state.state) }));
      if (key !== null) {
        this.cache.set(key, pending);
        pending.catch(() => this.cache.delete(key));
        const limit = this.options.cacheSize ?? 16;
        while (this.cache.size > limit) this.cache.delete(this.cache.keys().next().value!);
      }
    } else if (key !== null) {
      this.cache.delete(key);
      this.cache.set(key, pending);
    }
    const folded = await pending;
    return { position: folded.position, ...pageRows(table.model, folded.rows, query) };
  }

  private nextProgress(name: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const unsubscribe = this.options.projector?.onProgress((progressed) => {
        if (progressed === name) done();
      });
      function done(): void {
        clearTimeout(timer);
        unsubscribe?.();
        resolve();
      }
    });
  }
}
