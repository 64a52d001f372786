import { createTestDatabase, type TestDatabase } from '@ledger/database/testing';
import { anEvent } from '../../../../test/support/events.js';
import { LedgerSignals } from '../ledger-signals.js';
import { Sequencer } from '../ledger/sequencer.js';
import type { NewEvent } from '../types.js';
import { Upcasters } from '../upcasters.js';
import { LedgerQueries, pageQuery, type LedgerFilter } from './ledger-queries.js';
import { PostgresEventStore } from './postgres-event-store.js';

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

const FIRMS = ['alibaba', 'bytedance', 'tencent', 'baidu', 'kuaishou', 'deepseek', 'meituan', 'xiaomi'];

/**
 * A ledger shaped like the real one: per order an OrderPlaced (firmId in data), a ShipmentReleased written to
 * its shipment and linked into the order and product streams, and for some a delivery and a cancellation
 * (neither names the firm). 8 firms, 3 skus, one append per business step.
 */
function businessOf(order: number): { streamId: string; events: NewEvent[] }[][] {
  const firmId = FIRMS[order % FIRMS.length]!;
  const sku = ['H200', 'H20', 'B30'][order % 3]!;
  const orderId = `O-${order}`;
  const steps: { streamId: string; events: NewEvent[] }[][] = [
    [
      {
        streamId: `order-${orderId}`,
        events: [anEvent('OrderPlaced', { orderId, firmId, sku, quantity: 10 })],
      },
    ],
  ];
  const released = anEvent('ShipmentReleased', {
    shipmentId: `SH-${order}`,
    orderId,
    firmId,
    sku,
    quantity: 5,
  });
  steps.push([
    { streamId: `shipment-SH-${order}`, events: [released] },
    { streamId: `product-${sku}`, events: [released] },
    { streamId: `order-${orderId}`, events: [released] },
  ]);
  if (order % 2 === 0) {
    const delivered = anEvent('ShipmentDelivered', { shipmentId: `SH-${order}`, orderId });
    steps.push([
      { streamId: `shipment-SH-${order}`, events: [delivered] },
      { streamId: `order-${orderId}`, events: [delivered] },
    ]);
  }
  if (order % 5 === 0) {
    steps.push([
      {
        streamId: `order-${orderId}`,
        events: [anEvent('OrderCancelled', { orderId, reason: 'withdrawn', cancelledQuantity: 5 })],
      },
    ]);
  }
  return steps;
}

describe('LedgerQueries: filtered reads of the ledger', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let sequencer: Sequencer;
  let queries: LedgerQueries;

  beforeEach(async () => {
    db = await createTestDatabase();
    const signals = new LedgerSignals();
    store = new PostgresEventStore(db.pool, { signals });
    sequencer = new Sequencer(db.url, { signals, standbyMs: 100 });
    queries = new LedgerQueries(db.pool);
  });
  afterEach(async () => {
    await sequencer.stop();
    await db.close();
  });

  async function write(orders: number, { stamp = true } = {}): Promise<string[]> {
    const ids: string[] = [];
    for (let order = 0; order < orders; order++) {
      for (const step of businessOf(order)) {
        await store.append(step.map((s) => ({ ...s, expectedVersion: 'any' as const })));
        ids.push(step[0]!.events[0]!.eventId!);
      }
    }
    if (stamp) await store.waitForStamped(ids, 30_000);
    return ids;
  }

  it('pages a filtered ledger exactly once, in order, each filter combined with AND', async () => {
    sequencer.start();
    await write(40);
    const everything = await collect(store.readAll());
    const filters: [LedgerFilter, (e: (typeof everything)[number]) => boolean][] = [
      [{}, () => true],
      [
        { types: ['OrderCancelled', 'ShipmentDelivered'] },
        (e) => ['OrderCancelled', 'ShipmentDelivered'].includes(e.type),
      ],
      [
        { streamId: 'order-O-20' },
        (e) => e.streamId === 'order-O-20' || e.links.some((l) => l.streamId === 'order-O-20'),
      ],
      [
        { relatedTo: { firmId: 'tencent' }, types: ['OrderCancelled', 'ShipmentDelivered', 'OrderPlaced'] },
        (e) =>
          ['O-2', 'O-10', 'O-18', 'O-26', 'O-34'].includes(e.data['orderId'] as string) &&
          e.type !== 'ShipmentReleased',
      ],
      [{ after: 50, through: 70 }, (e) => e.position > 50 && e.position <= 70],
      // A stream with a good share of the ledger is found along the ledger rather than from its members.
      [{ streamId: 'product-H200', after: 20 }, (e) => e.links.some((l) => l.streamId === 'product-H200')],
    ];
    for (const [filter, matches] of filters) {
      const expected = everything.filter(matches).filter((e) => e.position > (filter.after ?? 0));
      expect(expected.length).toBeGreaterThan(0);
      const paged = [];
      let page = await queries.readPage(filter, 3);
      paged.push(...page.events);
      while (page.next !== null) {
        page = await queries.readPage({ ...filter, after: page.next }, 3);
        paged.push(...page.events);
      }
      expect(paged).toEqual(expected);
      expect(await collect(queries.readAll(filter, { pageSize: 4 }))).toEqual(expected);
    }
    expect(await queries.headPosition()).toBe(everything.length);
  });

  it('reads a stream in version order with positions and hashes once stamped, null before', async () => {
    sequencer.start();
    await write(3);
    await sequencer.stop();
    // Committed while no sequencer runs: in the stream at once, on the ledger later.
    const late = anEvent('OrderCancelled', { orderId: 'O-2', reason: 'late', cancelledQuantity: 5 });
    await store.append({ streamId: 'order-O-2', expectedVersion: 3, events: [late] });

    const before = await queries.readStream('order-O-2');
    expect(before.version).toBe(4);
    expect(before.events.map((e) => [e.version, e.type, e.streamId, e.position === null])).toEqual([
      [1, 'OrderPlaced', 'order-O-2', false],
      [2, 'ShipmentReleased', 'shipment-SH-2', false],
      [3, 'ShipmentDelivered', 'shipment-SH-2', false],
      [4, 'OrderCancelled', 'order-O-2', true],
    ]);
    expect(before.events[1]!.links).toEqual([
      { streamId: 'order-O-2', streamVersion: 2 },
      { streamId: 'product-B30', streamVersion: 1 },
    ]);
    expect(before.events[3]).toMatchObject({ hash: null, prevHash: null, eventId: late.eventId, links: [] });

    sequencer.start();
    await store.waitForStamped([late.eventId!]);
    const after = await queries.readStream('order-O-2', { fromVersion: 2, limit: 2 });
    expect(after.events.map((e) => e.version)).toEqual([2, 3]);
    expect(after.next).toBe(4);
    const last = await queries.readStream('order-O-2', { fromVersion: 4 });
    const ledgered = (await collect(store.readAll())).find((e) => e.eventId === late.eventId)!;
    expect(last.events).toEqual([{ version: 4, ...ledgered }]);
    expect(last.next).toBeNull();
    expect(await queries.readStream('order-NOPE')).toEqual({ version: 0, events: [], next: null });
  });

  it('shows data through the upcasters it is given, like the store', async () => {
    sequencer.start();
    const event = anEvent('Renamed', { name: 'old' }, { schemaVersion: 1 });
    await store.append({ streamId: 'firm-x', expectedVersion: 'any', events: [event] });
    await store.waitForStamped([event.eventId!]);
    const upcasting = new LedgerQueries(db.pool, {
      upcasters: new Upcasters([
        { type: 'Renamed', fromVersion: 1, upcast: (data) => ({ ...data, v2: true }) },
      ]),
    });
    const { events } = await upcasting.readPage({}, 10);
    expect(events[0]).toMatchObject({ schemaVersion: 2, data: { name: 'old', v2: true } });
    const { events: streamEvents } = await upcasting.readStream('firm-x');
    expect(streamEvents[0]).toMatchObject({ schemaVersion: 2, data: { name: 'old', v2: true } });
  });

  it('plans page reads without scanning the ledger: by position for the whole ledger, by stream for a stream', async () => {
    sequencer.start();
    await write(400);
    await db.pool.query('ANALYZE');
    const plan = async (filter: LedgerFilter): Promise<string> => {
      const { text, values } = pageQuery(filter, 101);
      const { rows } = await db.pool.query<{ 'QUERY PLAN': string }>({ text: `EXPLAIN ${text}`, values });
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    };
    const whole = await plan({ after: 500 });
    expect(whole).toMatch(/Index Scan using ledger_pkey/);
    expect(whole).not.toMatch(/Seq Scan/);
    const stream = await plan({ after: 0, streamId: 'order-O-7' });
    expect(stream).toMatch(/ledger_event_key/);
    expect(stream).not.toMatch(/Seq Scan on ledger/);
    const { text, values } = pageQuery({ after: 300, streamId: 'product-H200' }, 101, {
      streamScan: 'ledger',
    });
    const { rows } = await db.pool.query<{ 'QUERY PLAN': string }>({ text: `EXPLAIN ${text}`, values });
    const alongLedger = rows.map((row) => row['QUERY PLAN']).join('\n');
    // Walks the ledger from `after` (a table this small may still hash the events rather than probe them).
    expect(alongLedger).toMatch(
      /Index Scan using ledger_pkey on ledger l\s+\(.*\)\n\s+Index Cond: \("position" > '300'/,
    );
  });
});
