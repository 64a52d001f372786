import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@ledger/database/testing';
import { anEvent, metadata } from '../../../../test/support/events.js';
import {
  DuplicateEventError,
  InvalidAppendError,
  StreamOrderConflictError,
  WrongExpectedVersionError,
} from '../errors.js';
import { Upcasters } from '../upcasters.js';
import { PostgresEventStore } from './postgres-event-store.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('PostgresEventStore', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestDatabase();
    store = new PostgresEventStore(db.pool);
  });
  afterAll(async () => db.close());

  const stream = (name: string) => `${name}-${randomUUID()}`;
  const countEvents = async (streamId: string) =>
    Number(
      (await db.pool.query('SELECT count(*) FROM events WHERE stream_id = $1', [streamId])).rows[0].count,
    );

  describe('appending with an expected version', () => {
    it('starts a stream at version 1 when it is expected not to exist', async () => {
      const id = stream('order');
      const result = await store.append({
        streamId: id,
        expectedVersion: 'no-stream',
        events: [anEvent(), anEvent()],
      });
      expect(result.events.map((e) => e.streamVersion)).toEqual([1, 2]);
      expect(result.streams).toEqual([{ streamId: id, version: 2 }]);
      expect(await store.streamVersion(id)).toBe(2);
    });

    it('refuses no-stream on an existing stream, naming the stream, expected and actual versions', async () => {
      const id = stream('order');
      await store.append({ streamId: id, expectedVersion: 'no-stream', events: [anEvent(), anEvent()] });
      const error = await store
        .append({ streamId: id, expectedVersion: 'no-stream', events: [anEvent()] })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WrongExpectedVersionError);
      expect(error).toMatchObject({ streamId: id, expected: 'no-stream', actual: 2 });
      expect(await countEvents(id)).toBe(2);
    });

    it('appends when the exact version matches and refuses when it is behind or ahead', async () => {
      const id = stream('firm');
      await store.append({ streamId: id, expectedVersion: 0, events: [anEvent(), anEvent(), anEvent()] });
      await expect(
        store.append({ streamId: id, expectedVersion: 2, events: [anEvent()] }),
      ).rejects.toMatchObject({
        name: 'WrongExpectedVersionError',
        expected: 2,
        actual: 3,
      });
      await expect(
        store.append({ streamId: id, expectedVersion: 4, events: [anEvent()] }),
      ).rejects.toMatchObject({
        expected: 4,
        actual: 3,
      });
      const ok = await store.append({ streamId: id, expectedVersion: 3, events: [anEvent()] });
      expect(ok.events[0]!.streamVersion).toBe(4);
      expect(await countEvents(id)).toBe(4);
    });

    it('refuses stream-exists on a missing stream and accepts it on an existing one', async () => {
      const id = stream('product');
      await expect(
        store.append({ streamId: id, expectedVersion: 'stream-exists', events: [anEvent()] }),
      ).rejects.toMatchObject({ name: 'WrongExpectedVersionError', expected: 'stream-exists', actual: 0 });
      expect(await countEvents(id)).toBe(0);
      await store.append({ streamId: id, expectedVersion: 'any', events: [anEvent()] });
      const result = await store.append({
        streamId: id,
        expectedVersion: 'stream-exists',
        events: [anEvent()],
      });
      expect(result.events[0]!.streamVersion).toBe(2);
    });

    it('appends at the end with any, under concurrency, with dense versions', async () => {
      const id = stream('hot');
      const results = await Promise.all(
        Array.from({ length: 40 }, () =>
          store.append({ streamId: id, expectedVersion: 'any', events: [anEvent()] }),
        ),
      );
      const versions = results.map((r) => r.events[0]!.streamVersion).sort((a, b) => a - b);
      expect(versions).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    });

    it('lets exactly one of many concurrent appends at the same expected version win', async () => {
      const id = stream('contended');
      await store.append({ streamId: id, expectedVersion: 'no-stream', events: [anEvent()] });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, () =>
          store.append({ streamId: id, expectedVersion: 1, events: [anEvent()] }),
        ),
      );
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(19);
      for (const loss of lost)
        expect(loss.reason).toMatchObject({ name: 'WrongExpectedVersionError', actual: 2 });
      expect(await countEvents(id)).toBe(2);
    });
  });

  describe('appending to several streams at once', () => {
    it('writes every stream or none: one failing expectation keeps nothing', async () => {
      const order = stream('order');
      const firm = stream('firm');
      await store.append({ streamId: firm, expectedVersion: 'no-stream', events: [anEvent()] });
      await expect(
        store.append([
          { streamId: order, expectedVersion: 'no-stream', events: [anEvent(), anEvent()] },
          { streamId: firm, expectedVersion: 5, events: [anEvent()] },
        ]),
      ).rejects.toMatchObject({ name: 'WrongExpectedVersionError', streamId: firm, expected: 5, actual: 1 });
      expect(await countEvents(order)).toBe(0);
      expect(await countEvents(firm)).toBe(1);
    });

    it('writes all streams in one transaction when every expectation holds', async () => {
      const order = stream('order');
      const firm = stream('firm');
      await store.append({ streamId: firm, expectedVersion: 'no-stream', events: [anEvent()] });
      const result = await store.append([
        { streamId: order, expectedVersion: 'no-stream', events: [anEvent('A'), anEvent('B')] },
        { streamId: firm, expectedVersion: 1, events: [anEvent('C')] },
      ]);
      expect(result.events.map((e) => [e.streamId, e.streamVersion, e.type])).toEqual([
        [order, 1, 'A'],
        [order, 2, 'B'],
        [firm, 2, 'C'],
      ]);
    });

    it('holds the version of a stream that is only checked, and refuses when it moved', async () => {
      const order = stream('order');
      const product = stream('product');
      await store.append({ streamId: product, expectedVersion: 'no-stream', events: [anEvent(), anEvent()] });
      const result = await store.append([
        { streamId: order, expectedVersion: 'no-stream', events: [anEvent()] },
        { streamId: product, expectedVersion: 2, events: [] },
      ]);
      expect(result.streams).toEqual([
        { streamId: order, version: 1 },
        { streamId: product, version: 2 },
      ]);
      await store.append({ streamId: product, expectedVersion: 2, events: [anEvent()] });
      await expect(
        store.append([
          { streamId: order, expectedVersion: 1, events: [anEvent()] },
          { streamId: product, expectedVersion: 2, events: [] },
        ]),
      ).rejects.toMatchObject({ streamId: product, expected: 2, actual: 3 });
      expect(await countEvents(order)).toBe(1);
    });

    it('keeps a checked version steady until commit: a writer to that stream waits', async () => {
      const order = stream('order');
      const product = stream('product');
      await store.append({ streamId: product, expectedVersion: 'no-stream', events: [anEvent()] });
      const client = await db.pool.connect();
      try {
        await client.query('BEGIN');
        await store.append(
          [
            { streamId: order, expectedVersion: 'no-stream', events: [anEvent()] },
            { streamId: product, expectedVersion: 1, events: [] },
          ],
          { client },
        );
        let writerDone = false;
        const writer = store
          .append({ streamId: product, expectedVersion: 1, events: [anEvent()] })
          .finally(() => (writerDone = true));
        await sleep(300);
        expect(writerDone).toBe(false);
        await client.query('COMMIT');
        await expect(writer).resolves.toMatchObject({ streams: [{ streamId: product, version: 2 }] });
      } finally {
        client.release();
      }
    });
  });

  describe('an event that belongs to several streams', () => {
    it('is stored once, in the first stream, and linked into the others with their own versions', async () => {
      const shipment = stream('shipment');
      const product = stream('product');
      const order = stream('order');
      await store.append({ streamId: product, expectedVersion: 'no-stream', events: [anEvent(), anEvent()] });
      await store.append({ streamId: order, expectedVersion: 'no-stream', events: [anEvent()] });
      const released = anEvent('ShipmentReleased', { quantity: 5 });
      const result = await store.append([
        { streamId: shipment, expectedVersion: 'no-stream', events: [released] },
        { streamId: product, expectedVersion: 2, events: [released] },
        { streamId: order, expectedVersion: 1, events: [released] },
      ]);
      expect(result.events).toEqual([
        {
          eventId: released.eventId,
          streamId: shipment,
          streamVersion: 1,
          type: 'ShipmentReleased',
          links: [
            { streamId: product, streamVersion: 3 },
            { streamId: order, streamVersion: 2 },
          ],
        },
      ]);
      expect(result.streams.map((s) => s.version)).toEqual([1, 3, 2]);
      const stored = await db.pool.query('SELECT count(*)::int AS n FROM events WHERE event_id = $1', [
        released.eventId,
      ]);
      expect(stored.rows[0].n).toBe(1);

      const productEvents = await store.readStream(product);
      expect(productEvents.map((e) => [e.streamVersion, e.type])).toEqual([
        [1, 'Tested'],
        [2, 'Tested'],
        [3, 'ShipmentReleased'],
      ]);
      expect(productEvents[2]).toMatchObject({
        eventId: released.eventId,
        streamId: product,
        data: { quantity: 5 },
      });
      expect(await store.readStream(order, { fromVersion: 2 })).toMatchObject([
        { eventId: released.eventId },
      ]);
      expect(await store.streamVersion(product)).toBe(3);
      await expect(
        store.append({ streamId: product, expectedVersion: 2, events: [anEvent()] }),
      ).rejects.toMatchObject({
        name: 'WrongExpectedVersionError',
        actual: 3,
      });
    });

    it('keeps nothing, neither event nor links, when a linked stream’s expectation fails', async () => {
      const shipment = stream('shipment');
      const product = stream('product');
      const released = anEvent('ShipmentReleased');
      await expect(
        store.append([
          { streamId: shipment, expectedVersion: 'no-stream', events: [released] },
          { streamId: product, expectedVersion: 4, events: [released] },
        ]),
      ).rejects.toMatchObject({ name: 'WrongExpectedVersionError', streamId: product, actual: 0 });
      expect(await countEvents(shipment)).toBe(0);
      const links = await db.pool.query('SELECT count(*)::int AS n FROM event_links WHERE event_id = $1', [
        released.eventId,
      ]);
      expect(links.rows[0].n).toBe(0);
    });

    it('gives a stream dense versions when concurrent appends write to it and link into it', async () => {
      const product = stream('product');
      await Promise.all(
        Array.from({ length: 30 }, (_, n) => {
          const event = anEvent('Concurrent', { n });
          return n % 2 === 0
            ? store.append({ streamId: product, expectedVersion: 'any', events: [event] })
            : store.append([
                { streamId: stream('shipment'), expectedVersion: 'no-stream', events: [event] },
                { streamId: product, expectedVersion: 'any', events: [event] },
              ]);
        }),
      );
      const versions = (await store.readStream(product)).map((e) => e.streamVersion);
      expect(versions).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    });

    it('refuses one id listed with different content in two streams', async () => {
      const event = anEvent('A', { n: 1 });
      await expect(
        store.append([
          { streamId: stream('a'), expectedVersion: 'any', events: [event] },
          { streamId: stream('b'), expectedVersion: 'any', events: [{ ...event, data: { n: 2 } }] },
        ]),
      ).rejects.toBeInstanceOf(InvalidAppendError);
    });
  });

  describe('event ids', () => {
    it('refuses an event id that is already stored, and keeps nothing of that append', async () => {
      const id = stream('order');
      const first = anEvent();
      await store.append({ streamId: id, expectedVersion: 'any', events: [first] });
      const other = stream('order');
      const error = await store
        .append({
          streamId: other,
          expectedVersion: 'any',
          events: [anEvent(), { ...anEvent(), eventId: first.eventId }],
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DuplicateEventError);
      expect(error).toMatchObject({ eventId: first.eventId });
      expect(await countEvents(other)).toBe(0);
    });

    it('refuses the same event id twice in one append', async () => {
      const event = anEvent();
      await expect(
        store.append({ streamId: stream('order'), expectedVersion: 'any', events: [event, event] }),
      ).rejects.toBeInstanceOf(DuplicateEventError);
    });

    it('generates an id when none is given', async () => {
      const result = await store.append({
        streamId: stream('order'),
        expectedVersion: 'any',
        events: [{ type: 'T', data: {}, metadata: metadata() }],
      });
      expect(result.events[0]!.eventId).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('refusing malformed appends before they reach the database', () => {
    it.each([
      ['no stream', []],
      ['an empty stream id', [{ streamId: '', expectedVersion: 'any', events: [anEvent()] }]],
      ['a negative expected version', [{ streamId: 's', expectedVersion: -1, events: [anEvent()] }]],
      ['a fractional expected version', [{ streamId: 's', expectedVersion: 1.5, events: [anEvent()] }]],
      ['an unknown expectation', [{ streamId: 's', expectedVersion: 'maybe', events: [anEvent()] }]],
      [
        'a stream named twice',
        [
          { streamId: 's', expectedVersion: 'any', events: [anEvent()] },
          { streamId: 's', expectedVersion: 'any', events: [anEvent()] },
        ],
      ],
      ['no events at all', [{ streamId: 's', expectedVersion: 'any', events: [] }]],
      [
        'an event id that is not a UUID',
        [{ streamId: 's', expectedVersion: 'any', events: [anEvent('T', {}, { eventId: 'x' })] }],
      ],
      ['an empty type', [{ streamId: 's', expectedVersion: 'any', events: [anEvent('')] }]],
      [
        'schema version 0',
        [{ streamId: 's', expectedVersion: 'any', events: [anEvent('T', {}, { schemaVersion: 0 })] }],
      ],
    ])('refuses %s', async (_case, appends) => {
      await expect(store.append(appends as never)).rejects.toBeInstanceOf(InvalidAppendError);
    });
  });

  describe('appending inside the caller’s transaction', () => {
    it('keeps nothing when the caller rolls back', async () => {
      const id = stream('order');
      const client = await db.pool.connect();
      try {
        await client.query('BEGIN');
        await store.append({ streamId: id, expectedVersion: 'no-stream', events: [anEvent()] }, { client });
        await client.query('ROLLBACK');
      } finally {
        client.release();
      }
      expect(await countEvents(id)).toBe(0);
      await store.append({ streamId: id, expectedVersion: 'no-stream', events: [anEvent()] });
    });

    it('never lets a stream be extended behind a younger transaction, which would break stream order', async () => {
      const id = stream('order');
      const older = await db.pool.connect();
      try {
        await older.query('BEGIN');
        await store.append(
          { streamId: stream('other'), expectedVersion: 'any', events: [anEvent()] },
          { client: older },
        );
        const younger = store.append({ streamId: id, expectedVersion: 'any', events: [anEvent()] });
        if (db.kind === 'embedded') {
          // The embedded database runs one transaction at a time: the younger one cannot even start.
          const state = await Promise.race([younger.then(() => 'done'), sleep(300).then(() => 'waiting')]);
          expect(state).toBe('waiting');
          await older.query('ROLLBACK');
          await younger;
        } else {
          await younger;
          await expect(
            store.append({ streamId: id, expectedVersion: 'any', events: [anEvent()] }, { client: older }),
          ).rejects.toBeInstanceOf(StreamOrderConflictError);
          await older.query('ROLLBACK');
        }
      } finally {
        older.release();
      }
      expect(await countEvents(id)).toBe(1);
    });
  });

  describe('reading a stream', () => {
    it('returns events in version order from a version, with metadata and the time recorded', async () => {
      const id = stream('order');
      const meta = metadata({ actor: 'alice', role: 'admin' });
      const before = Date.now();
      await store.append({
        streamId: id,
        expectedVersion: 'no-stream',
        events: [1, 2, 3, 4].map((n) => anEvent('Counted', { n }, { metadata: meta })),
      });
      const events = await store.readStream(id, { fromVersion: 2 });
      expect(events.map((e) => [e.streamVersion, e.data.n])).toEqual([
        [2, 2],
        [3, 3],
        [4, 4],
      ]);
      expect(events[0]).toMatchObject({ streamId: id, type: 'Counted', schemaVersion: 1, metadata: meta });
      expect(events[0]!.recordedAt.getTime()).toBeGreaterThanOrEqual(before - 5_000);
      expect(await store.readStream(id, { fromVersion: 2, limit: 1 })).toHaveLength(1);
      expect(await store.readStream(stream('none'))).toEqual([]);
    });

    it('reads an event stored in an old schema through its upcaster, after the payload changed', async () => {
      const id = stream('order');
      // Written when OrderPlaced v1 had `qty`; v2 renamed it to `quantity` and added `unit`.
      await store.append({
        streamId: id,
        expectedVersion: 'no-stream',
        events: [anEvent('OrderPlaced', { orderId: 'o-1', qty: 7 }, { schemaVersion: 1 })],
      });
      const current = new PostgresEventStore(db.pool, {
        upcasters: new Upcasters([
          {
            type: 'OrderPlaced',
            fromVersion: 1,
            upcast: ({ qty, ...rest }) => ({ ...rest, quantity: qty ?? 0, unit: 'chip' }),
          },
        ]),
      });
      const [event] = await current.readStream(id);
      expect(event).toMatchObject({ schemaVersion: 2, data: { orderId: 'o-1', quantity: 7, unit: 'chip' } });
      const stored = await db.pool.query('SELECT schema_version, data FROM events WHERE stream_id = $1', [
        id,
      ]);
      expect(stored.rows[0]).toEqual({ schema_version: 1, data: { orderId: 'o-1', qty: 7 } });
    });
  });
});
