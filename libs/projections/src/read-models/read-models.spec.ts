import type { ProjectedEvent, ReadModel } from '../read-model.js';
import { readModels } from './index.js';
import { randomHistory, syntheticHistory } from './testing/histories.js';
import { fold } from './testing/read-model-spec.js';

const byKey = (model: ReadModel, state: unknown) =>
  new Map(model.rows(state).map((row) => [model.rowKey(row), JSON.stringify(row)]));

const roundTrip = (model: ReadModel, state: unknown) =>
  model.restore(JSON.parse(JSON.stringify(model.snapshot(state))));

/** Histories decided by the command path, so every event is one the ledger would accept. */
let histories: ProjectedEvent[][];

beforeAll(async () => {
  histories = [await randomHistory(1, 700), await randomHistory(2, 700), await randomHistory(3, 400)];
});

describe.each(readModels.map((model) => [model.name, model] as const))('the %s read model', (_, model) => {
  it('is fed histories that exercise it (every event type, some refusals)', () => {
    const types = new Set(histories.flat().map(({ event }) => event.type));
    expect(types.size).toBe(15);
  });

  it('returns the key of every row an event changes or creates, and only keys of rows that exist', () => {
    for (const events of histories) {
      const state = model.initial();
      let before = byKey(model, state);
      for (const event of events) {
        const returned = new Set(model.evolve(state, event));
        const after = byKey(model, state);
        const changed = [...after].filter(([key, row]) => before.get(key) !== row).map(([key]) => key);
        expect({ position: event.position, missed: changed.filter((key) => !returned.has(key)) }).toEqual({
          position: event.position,
          missed: [],
        });
        for (const key of returned) expect(after.has(key)).toBe(true);
        expect(after.size).toBeGreaterThanOrEqual(before.size);
        before = after;
      }
    }
  });

  it('gives with row(key) the row that rows() lists under that key', () => {
    const { state } = fold(model, histories[0]!);
    const rows = model.rows(state);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(model.row(state, model.rowKey(row))).toStrictEqual(row);
  });

  it('lists rows sorted by key, in code-point order, each key once', () => {
    const { state } = fold(model, histories[0]!);
    const keys = model.rows(state).map((row) => model.key.map((field) => row[field] as string));
    const sorted = [...keys].sort((a, b) => {
      for (let i = 0; i < a.length; i += 1) {
        if (a[i]! !== b[i]!) return a[i]! < b[i]! ? -1 : 1;
      }
      return 0;
    });
    expect(keys).toEqual(sorted);
    expect(new Set(keys.map((key) => JSON.stringify(key))).size).toBe(keys.length);
  });

  it('makes rows of plain JSON whose fields are its columns, in order, of their types', () => {
    const { state } = fold(model, histories[1]!);
    const typeOf = { text: 'string', bigint: 'number', boolean: 'boolean' } as const;
    for (const row of model.rows(state)) {
      expect(JSON.parse(JSON.stringify(row))).toStrictEqual(row);
      expect(Object.keys(row)).toEqual(model.columns.map((column) => column.field));
      for (const { field, type, nullable } of model.columns) {
        const value = row[field];
        if (value === null) {
          expect({ field, nullable }).toEqual({ field, nullable: true });
        } else if (type === 'jsonb') {
          expect(typeof value).toBe('object');
        } else {
          expect({ field, type: typeof value }).toEqual({ field, type: typeOf[type] });
          if (type === 'bigint') expect(Number.isSafeInteger(value)).toBe(true);
        }
      }
    }
    expect(
      model.key.every((field) => model.columns.some((c) => c.field === field && c.type === 'text')),
    ).toBe(true);
    expect(model.filters.every((field) => model.columns.some((c) => c.field === field))).toBe(true);
  });

  it('restores from its JSON snapshot the same rows, and goes on evolving identically', () => {
    for (const events of histories) {
      for (const cut of [0, Math.floor(events.length / 3), events.length - 1]) {
        const original = fold(model, events.slice(0, cut)).state;
        const snapshot = JSON.parse(JSON.stringify(model.snapshot(original)));
        const restored = model.restore(snapshot);
        expect(model.rows(restored)).toStrictEqual(model.rows(original));
        expect(model.snapshot(restored)).toStrictEqual(snapshot);
        for (const event of events.slice(cut)) {
          const keys = new Set(model.evolve(original, event));
          expect(new Set(model.evolve(restored, event))).toEqual(keys);
        }
        expect(model.rows(restored)).toStrictEqual(model.rows(original));
        expect(model.snapshot(restored)).toStrictEqual(model.snapshot(original));
      }
    }
  });

  it('gives the same rows however often it is snapshotted and restored along the way', () => {
    const events = histories[1]!;
    let state = model.initial();
    for (const [index, event] of events.entries()) {
      if (index % 97 === 0) state = roundTrip(model, state);
      model.evolve(state, event);
    }
    expect(model.rows(state)).toStrictEqual(model.rows(fold(model, events).state));
  });

  it('ignores, without throwing, events about ids it has never seen', () => {
    const events = histories[0]!;
    const { state } = fold(model, events);
    const rows = model.rows(state);
    const last = events[events.length - 1]!;
    const odd = (event: ProjectedEvent['event'], offset: number): ProjectedEvent => ({
      position: last.position + offset,
      recordedAt: last.recordedAt,
      event,
    });
    const unknown: ProjectedEvent['event'][] = [
      { type: 'OrderCancelled', data: { orderId: 'nope', reason: 'x', cancelledQuantity: 5 } },
      {
        type: 'ShipmentReleased',
        data: {
          shipmentId: 'nope',
          orderId: 'nope',
          firmId: 'nope',
          sku: 'NOPE',
          quantity: 5,
          drawnFrom: [],
        },
      },
      { type: 'ShipmentDelivered', data: { shipmentId: 'nope', orderId: 'nope' } },
      {
        type: 'ApprovalRevoked',
        data: { approvalId: 'nope', firmId: 'x', sku: 'NOPE', reason: 'x', voidedQuota: 1 },
      },
      { type: 'ExportLicenseRevoked', data: { licenseId: 'nope', sku: 'NOPE', reason: 'x' } },
      { type: 'ImportsBlocked', data: { sku: 'NOPE', reason: 'x' } },
      { type: 'PairingRatioSet', data: { sku: 'NOPE', domesticPerUnit: 0.5 } },
      { type: 'PairingRatioSet', data: { sku: 'H200', domesticPerUnit: -1 } },
      { type: 'SupplyRecorded', data: { supplyId: 'nope', sku: 'NOPE', quantity: 5 } },
      {
        type: 'DomesticPurchaseRecorded',
        data: { purchaseId: 'nope', firmId: 'nobody', sku: 'X', quantity: 5 },
      },
    ];
    unknown.forEach((event, index) => expect(() => model.evolve(state, odd(event, index + 1))).not.toThrow());
    expect(model.rows(state)).toStrictEqual(rows);
  });
});

describe('all read models together', () => {
  it('fold 200,000 events well within ten seconds (a guard against quadratic work, not a benchmark)', () => {
    const events = syntheticHistory(200_000);
    const states = readModels.map((model) => model.initial());
    const started = performance.now();
    for (const event of events) {
      readModels.forEach((model, index) => {
        for (const _ of model.evolve(states[index], event));
      });
    }
    const elapsed = performance.now() - started;
    readModels.forEach((model, index) => expect(model.rows(states[index]).length).toBeGreaterThan(0));
    expect(elapsed).toBeLessThan(10_000);
  });
});
