import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@ledger/database/testing';
import { anEvent } from '../../../../test/support/events.js';
import { DuplicateEventError, WrongExpectedVersionError } from '../errors.js';
import type { AppendResult, StreamAppend } from '../types.js';
import { PostgresEventStore } from './postgres-event-store.js';

/**
 * Group commit: concurrent appends share transactions. With one group in flight, appends fired together
 * queue behind the first and go as one group, so these tests know which appends were grouped.
 */
describe('combining concurrent appends', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestDatabase();
    store = new PostgresEventStore(db.pool, { combine: { maxInFlight: 1, maxAppends: 64, minGroup: 1 } });
  });
  afterAll(async () => db.close());

  const stream = (name: string) => `${name}-${randomUUID()}`;
  const eventsOf = async (streamId: string) =>
    (
      await db.pool.query<{ event_id: string; stream_version: number; tx: string }>(
        'SELECT event_id, stream_version, tx_id::text AS tx FROM events WHERE stream_id = $1 ORDER BY stream_version',
        [streamId],
      )
    ).rows;
  const settle = (appends: (StreamAppend | StreamAppend[])[]) =>
    Promise.allSettled(appends.map((append) => store.append(append)));
  const fulfilled = (outcome: PromiseSettledResult<AppendResult>) => {
    if (outcome.status !== 'fulfilled') throw outcome.reason;
    return outcome.value;
  };

  it('answers each append of a group on its own: refusals write nothing, the others commit together', async () => {
    const [lead, a, b, c, d, e] = ['lead', 'a', 'b', 'c', 'd', 'e'].map(stream);
    await store.append({ streamId: b!, expectedVersion: 'no-stream', events: [anEvent(), anEvent()] });

    const outcomes = await settle([
      { streamId: lead!, expectedVersion: 'any', events: [anEvent()] }, // goes alone, the rest queue behind it
      { streamId: a!, expectedVersion: 'no-stream', events: [anEvent(), anEvent()] },
      { streamId: a!, expectedVersion: 'no-stream', events: [anEvent()] }, // a now has 2 events: refused
      { streamId: a!, expectedVersion: 2, events: [anEvent()] }, // sees the first append of the group
      { streamId: b!, expectedVersion: 5, events: [anEvent()] }, // b is at 2: refused
      [
        { streamId: c!, expectedVersion: 'no-stream', events: [anEvent()] },
        { streamId: d!, expectedVersion: 'stream-exists', events: [anEvent()] }, // d is new: all refused
      ],
      { streamId: e!, expectedVersion: 'any', events: [anEvent()] },
    ]);

    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
      'rejected',
      'fulfilled',
    ]);
    expect((outcomes[2] as PromiseRejectedResult).reason).toEqual(
      new WrongExpectedVersionError(a!, 'no-stream', 2),
    );
    expect((outcomes[4] as PromiseRejectedResult).reason).toMatchObject({
      streamId: b,
      expected: 5,
      actual: 2,
    });
    expect((outcomes[5] as PromiseRejectedResult).reason).toMatchObject({
      streamId: d,
      expected: 'stream-exists',
      actual: 0,
    });
    expect(fulfilled(outcomes[3]!).events[0]!.streamVersion).toBe(3);
    expect(fulfilled(outcomes[3]!).streams).toEqual([{ streamId: a, version: 3 }]);

    expect((await eventsOf(a!)).map((row) => row.stream_version)).toEqual([1, 2, 3]);
    expect(await eventsOf(b!)).toHaveLength(2);
    expect(await eventsOf(c!)).toHaveLength(0);
    expect(await eventsOf(d!)).toHaveLength(0);
    // The appends queued behind the lead committed in one transaction.
    const grouped = new Set([...(await eventsOf(a!)), ...(await eventsOf(e!))].map((row) => row.tx));
    expect(grouped.size).toBe(1);
    expect(grouped.has((await eventsOf(lead!))[0]!.tx)).toBe(false);
  });

  it('fails only the append holding an already stored event id; the rest of its group commits', async () => {
    const stored = anEvent();
    await store.append({ streamId: stream('stored'), expectedVersion: 'any', events: [stored] });
    const [x, y, z] = ['x', 'y', 'z'].map(stream);

    const outcomes = await settle([
      { streamId: stream('lead'), expectedVersion: 'any', events: [anEvent()] },
      { streamId: x!, expectedVersion: 'no-stream', events: [anEvent()] },
      { streamId: y!, expectedVersion: 'no-stream', events: [anEvent(), { ...stored }] },
      { streamId: z!, expectedVersion: 'no-stream', events: [anEvent()] },
    ]);

    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[2] as PromiseRejectedResult).reason).toEqual(new DuplicateEventError(stored.eventId));
    expect(await eventsOf(x!)).toHaveLength(1);
    expect(await eventsOf(y!)).toHaveLength(0);
    expect(await eventsOf(z!)).toHaveLength(1);
  });

  it('stores an event id once when two appends of one group carry it', async () => {
    const twice = anEvent();
    const outcomes = await settle([
      { streamId: stream('lead'), expectedVersion: 'any', events: [anEvent()] },
      { streamId: stream('first'), expectedVersion: 'any', events: [twice] },
      { streamId: stream('second'), expectedVersion: 'any', events: [{ ...twice }] },
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect((outcomes[2] as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateEventError);
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM events WHERE event_id = $1', [
      twice.eventId,
    ]);
    expect(rows[0].n).toBe(1);
  });

  it('gives links their versions within a group, after the appends before them', async () => {
    const [product, order] = ['product', 'order'].map(stream);
    const shared = anEvent();
    const outcomes = await settle([
      { streamId: stream('lead'), expectedVersion: 'any', events: [anEvent()] },
      { streamId: product!, expectedVersion: 'no-stream', events: [anEvent()] },
      [
        { streamId: order!, expectedVersion: 'no-stream', events: [shared] },
        { streamId: product!, expectedVersion: 1, events: [{ ...shared }] },
      ],
    ]);
    expect(fulfilled(outcomes[2]!).events).toEqual([
      {
        eventId: shared.eventId,
        streamId: order,
        streamVersion: 1,
        type: shared.type,
        links: [{ streamId: product, streamVersion: 2 }],
      },
    ]);
    expect((await store.readStream(product!)).map((event) => event.streamVersion)).toEqual([1, 2]);
  });

  it('sends a further group while one is in flight only once minGroup appends wait for it', async () => {
    const grouped = new PostgresEventStore(db.pool, {
      combine: { maxInFlight: 2, maxAppends: 64, minGroup: 4 },
    });
    const txOf = async (streamId: string) => (await eventsOf(streamId))[0]!.tx;
    const fire = async (count: number) => {
      const streams = Array.from({ length: count }, () => stream('g'));
      await Promise.all(
        streams.map((streamId) => grouped.append({ streamId, expectedVersion: 'any', events: [anEvent()] })),
      );
      return Promise.all(streams.map(txOf));
    };
    // The first goes alone; three wait (fewer than 4) until it is done, then go together.
    const [lead, ...rest] = await fire(4);
    expect(new Set(rest).size).toBe(1);
    expect(rest[0]).not.toBe(lead);
    // The first alone; the fifth append makes four waiting: they go as a second group in flight.
    const six = await fire(6);
    expect(new Set(six.slice(1, 5)).size).toBe(1);
    expect(new Set([six[0], six[1], six[5]]).size).toBe(3);
  });

  it('never deadlocks when groups take overlapping streams, and keeps every stream dense', async () => {
    const busy = new PostgresEventStore(db.pool, { combine: { maxInFlight: 4, maxAppends: 8, minGroup: 1 } });
    const streams = Array.from({ length: 5 }, () => stream('pair'));
    const pick = (i: number, salt: number) => streams[(i * 7 + salt) % streams.length]!;
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) => {
        const first = pick(i, 0);
        const second = pick(i, 1 + (i % 3));
        const shared = anEvent();
        return busy.append([
          { streamId: first, expectedVersion: 'any', events: [shared] },
          { streamId: second, expectedVersion: 'any', events: [{ ...shared }] },
        ]);
      }),
    );
    expect(results).toHaveLength(300);
    for (const id of streams) {
      const versions = (await store.readStream(id)).map((event) => event.streamVersion);
      expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => i + 1));
    }
    const total = (await Promise.all(streams.map((id) => store.streamVersion(id)))).reduce((a, b) => a + b);
    expect(total).toBe(600);
  });
});
