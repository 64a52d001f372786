import type { LedgerEvent as DomainEvent } from '@ledger/domain';
import { parseEntry, type JsonObject } from '@ledger/event-store';
import type { ProjectedEvent, ReadModel } from './read-model.js';
import { Fold } from './projector/fold.js';

/** Where a replay stops: right after a position, or at the end of the prefix recorded by a time (ISO). */
export type ReplayPoint = { position: number } | { time: string };

export interface ReplayResult {
  position: number;
  rows: Record<string, JsonObject[]>;
}

/** A stored ledger entry (the exact hashed bytes) as a projection sees it. */
export function projectedEntry(entry: string): ProjectedEvent {
  const { position, event } = parseEntry(entry);
  return {
    position,
    recordedAt: event.recordedAt,
    event: { type: event.type, data: event.data } as DomainEvent,
  };
}

/**
 * Folds read models over ledger events (from an exported bundle, say) up to a point, with the same folds
 * and the same as-of rule as the service's own as-of reads, so the two answers are equal.
 */
export async function replay(
  models: readonly ReadModel[],
  events: AsyncIterable<ProjectedEvent>,
  point: ReplayPoint,
  onProgress?: (position: number) => void,
): Promise<ReplayResult> {
  const folds = models.map((model) => Fold.empty(model));
  let position = 0;
  for await (const event of events) {
    if ('position' in point ? event.position > point.position : event.recordedAt > point.time) break;
    for (const fold of folds) fold.apply([event]);
    position = event.position;
    onProgress?.(position);
  }
  if ('position' in point && position < point.position) {
    throw new Error(`the ledger ends at position ${position}, before position ${point.position}`);
  }
  return {
    position,
    rows: Object.fromEntries(folds.map((fold) => [fold.model.name, fold.model.rows(fold.state)])),
  };
}
