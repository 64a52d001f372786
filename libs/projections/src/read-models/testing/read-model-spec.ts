import type { LedgerEvent } from '@ledger/domain';
import type { JsonObject } from '@ledger/event-store';
import type { ProjectedEvent, ReadModel } from '../../read-model.js';

/** An event with the time the ledger recorded it; a plain event is recorded one second after the last. */
export type Recorded = { event: LedgerEvent; recordedAt: string };

const START = Date.parse('2026-01-05T00:00:00.000Z');

/** Records `event` at `recordedAt` (ISO), for specs where time matters (license expiry). */
export const at = (recordedAt: string, event: LedgerEvent): Recorded => ({ event, recordedAt });

/** Positions and times for a history: each plain event one second after the one before. */
export function project(
  events: readonly (LedgerEvent | Recorded)[],
  from: { position: number; time: number } = { position: 0, time: START },
): ProjectedEvent[] {
  let time = from.time;
  return events.map((item, index) => {
    const recorded = 'recordedAt' in item ? item : undefined;
    time = recorded ? Date.parse(recorded.recordedAt) : time + 1_000;
    return {
      position: from.position + index + 1,
      recordedAt: recorded?.recordedAt ?? new Date(time).toISOString(),
      event: recorded ? recorded.event : (item as LedgerEvent),
    };
  });
}

/** Folds projected events into a fresh state; returns it with the keys each event returned. */
export function fold<State, Row extends JsonObject>(
  model: ReadModel<State, Row>,
  events: readonly ProjectedEvent[],
  state: State = model.initial(),
): { state: State; keys: string[][] } {
  const keys = events.map((event) => [...model.evolve(state, event)]);
  return { state, keys };
}

/**
 * `given(model, ...history).when(...events).thenRow(key, fields)` / `.thenRows(rows)`: the history is
 * folded, then the events; a row checked with `thenRow` must also be among the keys the events returned.
 */
export function given<State, Row extends JsonObject>(
  model: ReadModel<State, Row>,
  ...history: (LedgerEvent | Recorded)[]
) {
  return {
    when(...events: (LedgerEvent | Recorded)[]) {
      const projected = project([...history, ...events]);
      const before = fold(model, projected.slice(0, history.length));
      const rowsBefore = model.rows(before.state);
      const after = fold(model, projected.slice(history.length), before.state);
      const returned = new Set(after.keys.flat());
      const outcome = {
        /** The row with this key has (at least) these fields, and the events returned its key. */
        thenRow(rowKey: string, fields: Partial<Row>) {
          expect(model.row(after.state, rowKey)).toMatchObject(fields);
          expect([...returned]).toContain(rowKey);
          return outcome;
        },
        /** The row with this key has these fields, and the events did not return its key. */
        thenUntouchedRow(rowKey: string, fields: Partial<Row>) {
          expect(model.row(after.state, rowKey)).toMatchObject(fields);
          expect([...returned]).not.toContain(rowKey);
          return outcome;
        },
        /** The read model's rows are exactly these. */
        thenRows(rows: Row[]) {
          expect(model.rows(after.state)).toStrictEqual(rows);
          return outcome;
        },
        /** The events returned exactly these keys (in any order, each once or more). */
        thenKeys(keys: string[]) {
          expect([...returned].sort()).toEqual([...keys].sort());
          return outcome;
        },
        /** The events returned no key, and changed no row. */
        thenNothingChanges() {
          expect(model.rows(after.state)).toStrictEqual(rowsBefore);
          expect([...returned]).toEqual([]);
          return outcome;
        },
        state: after.state,
      };
      return outcome;
    },
  };
}
