import type { LedgerEvent as DomainEvent } from '@ledger/domain';
import type { JsonObject, JsonValue } from '@ledger/event-store';

/** A ledger event as a projection sees it: the domain event, where it sits in the ledger and when it was recorded. */
export interface ProjectedEvent {
  position: number;
  /** ISO 8601, UTC (the event's recordedAt). The only notion of time a read model may use. */
  recordedAt: string;
  event: DomainEvent;
}

/** How a row field is stored: its column is the field name in snake_case. */
export type ColumnType = 'text' | 'bigint' | 'boolean' | 'jsonb';

export interface Column {
  /** The row field (camelCase); the table column is its snake_case form. */
  field: string;
  type: ColumnType;
  /** Whether the field may be null. */
  nullable?: boolean;
}

/**
 * One read model: a deterministic fold of the ledger into rows.
 *
 * `evolve` changes `state` in place (no clock, no I/O, no randomness: the same events give the same state
 * and rows, which is what makes rebuild and as-of reads equal to the live projection), and returns the
 * keys of every row whose content it may have changed. Rows are never deleted.
 */
export interface ReadModel<State = unknown, Row extends JsonObject = JsonObject> {
  /** URL and API name: `allocations`, `backlog`, `approval-batches`, `orders`. */
  readonly name: string;
  /** Bump whenever evolve or the row shape changes: snapshots of another version are ignored. */
  readonly version: number;
  /** The PostgreSQL table the rows live in (with a leading `generation integer` column). */
  readonly table: string;
  /** Every row field in table order, key fields first. */
  readonly columns: readonly Column[];
  /** The fields that identify a row (text columns, compared in code-point order). */
  readonly key: readonly string[];
  /** The fields a GET may filter on by equality (`?firmId=&sku=`). */
  readonly filters: readonly string[];

  initial(): State;
  evolve(state: State, event: ProjectedEvent): Iterable<string>;
  /** The row with this key, or undefined while it does not exist. */
  row(state: State, rowKey: string): Row | undefined;
  /** Every row, sorted by key (code-point order of the key fields, in order). */
  rows(state: State): Row[];
  /** The key of a row, as `evolve` returns it. */
  rowKey(row: Row): string;
  /** JSON that `restore` turns back into an equal state. */
  snapshot(state: State): JsonValue;
  restore(snapshot: JsonValue): State;
}
