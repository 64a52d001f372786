import type { LedgerEvent as DomainEvent } from '@ledger/domain';
import type { LedgerEvent, PostgresEventStore } from '@ledger/event-store';
import type { ProjectedEvent, ReadModel } from '../read-model.js';
import type { Queryable } from './projection-tables.js';
import { snapshots, type Snapshot } from './snapshots.js';

export function projected(event: LedgerEvent): ProjectedEvent {
  return {
    position: event.position,
    recordedAt: event.recordedAt.toISOString(),
    event: { type: event.type, data: event.data } as DomainEvent,
  };
}

/** A read model's state folded up to `position`, and the latest recordedAt among the entries folded. */
export class Fold {
  constructor(
    readonly model: ReadModel,
    public state: unknown,
    public position: number,
    public recordedHigh: string,
  ) {}

  static empty(model: ReadModel): Fold {
    return new Fold(model, model.initial(), 0, '');
  }

  static fromSnapshot(model: ReadModel, snapshot: Snapshot): Fold {
    return new Fold(model, model.restore(snapshot.state), snapshot.position, snapshot.recordedHigh);
  }

  /** Applies the events after this fold's position; returns the keys of the rows they may have changed. */
  apply(events: readonly ProjectedEvent[], touched: Set<string> = new Set()): Set<string> {
    for (const event of events) {
      if (event.position <= this.position) continue;
      if (event.position !== this.position + 1) {
        throw new Error(`${this.model.name}: expected position ${this.position + 1}, got ${event.position}`);
      }
      for (const key of this.model.evolve(this.state, event)) touched.add(key);
      this.position = event.position;
      if (event.recordedAt > this.recordedHigh) this.recordedHigh = event.recordedAt;
    }
    return touched;
  }

  snapshot(): Snapshot {
    return {
      position: this.position,
      recordedHigh: this.recordedHigh,
      state: this.model.snapshot(this.state),
    };
  }
}

export interface ReplayOptions {
  /** Start from the nearest snapshot (default true); false folds from genesis. */
  useSnapshots?: boolean;
  pageSize?: number;
  onProgress?: (position: number) => void;
}

/** Folds a model from its nearest snapshot (or genesis) up to exactly `through`. */
export async function foldThrough(
  db: Queryable,
  store: PostgresEventStore,
  model: ReadModel,
  through: number,
  options: ReplayOptions = {},
): Promise<Fold> {
  const snapshot = options.useSnapshots === false ? null : await snapshots.atOrBefore(db, model, through);
  const fold = snapshot ? Fold.fromSnapshot(model, snapshot) : Fold.empty(model);
  const pageSize = options.pageSize ?? 2_000;
  while (fold.position < through) {
    const page = await store.readLedgerPage(fold.position, Math.min(pageSize, through - fold.position));
    if (page.length === 0) break;
    fold.apply(page.map(projected));
    options.onProgress?.(fold.position);
  }
  if (fold.position !== through) {
    throw new Error(`${model.name}: the ledger ends at ${fold.position}, before position ${through}`);
  }
  return fold;
}

/**
 * Folds a model over the longest ledger prefix whose entries were all recorded at or before `time` (ISO):
 * everything the ledger certainly held at that moment.
 */
export async function foldRecordedBy(
  db: Queryable,
  store: PostgresEventStore,
  model: ReadModel,
  time: string,
  options: ReplayOptions = {},
): Promise<Fold> {
  const snapshot = options.useSnapshots === false ? null : await snapshots.recordedBy(db, model, time);
  const fold = snapshot ? Fold.fromSnapshot(model, snapshot) : Fold.empty(model);
  const pageSize = options.pageSize ?? 2_000;
  for (;;) {
    const page = (await store.readLedgerPage(fold.position, pageSize)).map(projected);
    const cut = page.findIndex((event) => event.recordedAt > time);
    fold.apply(cut === -1 ? page : page.slice(0, cut));
    options.onProgress?.(fold.position);
    if (cut !== -1 || page.length < pageSize) return fold;
  }
}
