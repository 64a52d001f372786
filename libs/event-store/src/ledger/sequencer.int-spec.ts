import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@ledger/database/testing';
import { anEvent } from '../../../../test/support/events.js';
import { StampTimeoutError } from '../errors.js';
import { Upcasters } from '../upcasters.js';
import { LedgerSignals } from '../ledger-signals.js';
import { PostgresEventStore } from '../postgres/postgres-event-store.js';
import type { LedgerEvent } from '../types.js';
import { Sequencer, type SequencerOptions } from './sequencer.js';
import { sleep, until } from '../../../../test/support/wait.js';

/**
 * One batch by hand. A batch of 0 can also mean "not yet eligible": a transaction in another database of
 * the same server holds the snapshot's xmin back for a moment. So retry until it stamps or is fenced out.
 */
async function stampWhenEligible(sequencer: Sequencer): Promise<number> {
  const fencedBefore = sequencer.status().fencedOut;
  for (let attempt = 0; attempt < 500; attempt++) {
    const stamped = await sequencer.stampBatch();
    if (stamped > 0 || sequencer.status().fencedOut > fencedBefore) return stamped;
    await sleep(10);
  }
  throw new Error('nothing became eligible to stamp');
}

describe('the ledger: sequencer, readers and integrity', () => {
  let db: TestDatabase;
  let signals: LedgerSignals;
  let store: PostgresEventStore;
  const sequencers: Sequencer[] = [];

  beforeEach(async () => {
    db = await createTestDatabase();
    signals = new LedgerSignals();
    store = new PostgresEventStore(db.pool, { signals });
  });
  afterEach(async () => {
    await Promise.all(sequencers.splice(0).map((s) => s.stop()));
    await db.close();
  });

  function startSequencer(options: SequencerOptions = {}): Sequencer {
    const sequencer = new Sequencer(db.url, { signals, standbyMs: 100, ...options });
    sequencers.push(sequencer);
    sequencer.start();
    return sequencer;
  }

  async function ledgerPositions(): Promise<{ count: number; min: number; max: number; distinct: number }> {
    const { rows } = await db.pool.query(
      'SELECT count(*)::int AS count, coalesce(min(position), 0)::int AS min, coalesce(max(position), 0)::int AS max, count(DISTINCT event_id)::int AS distinct FROM ledger',
    );
    return rows[0];
  }

  it('stamps concurrent writers densely, with rollbacks, while a reader follows and misses nothing', async () => {
    startSequencer({ batchSize: 200 });
    const streams = Array.from({ length: 24 }, (_, i) => `order-${i}`);
    const committed: string[] = [];
    const rolledBack: string[] = [];

    const follower = new AbortController();
    const seen: LedgerEvent[] = [];
    const reading = (async () => {
      for await (const event of store.follow({ signal: follower.signal, pageSize: 100 })) seen.push(event);
    })();

    const WRITERS = 8;
    const APPENDS = 500;
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, writer) => {
        for (let n = 0; n < APPENDS; n++) {
          const event = anEvent('Written', { writer, n });
          const streamId = streams[(writer * 7 + n * 13) % streams.length]!;
          if ((writer * APPENDS + n) % 20 === 7) {
            // about 5%: appended inside a transaction that then rolls back
            const client = await db.pool.connect();
            try {
              await client.query('BEGIN');
              await store.append({ streamId, expectedVersion: 'any', events: [event] }, { client });
              await client.query('ROLLBACK');
              rolledBack.push(event.eventId!);
            } finally {
              client.release();
            }
          } else {
            await store.append({ streamId, expectedVersion: 'any', events: [event] });
            committed.push(event.eventId!);
          }
        }
      }),
    );

    await store.waitForStamped(committed, 30_000);
    await until(() => seen.length >= committed.length);
    await sleep(100); // a reader that double-delivers would show it now
    follower.abort();
    await reading;

    const n = committed.length;
    expect(n).toBe(WRITERS * APPENDS - rolledBack.length);
    expect(rolledBack.length).toBe(200);
    expect(await ledgerPositions()).toEqual({ count: n, min: 1, max: n, distinct: n });

    expect(seen.map((e) => e.position)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(new Set(seen.map((e) => e.eventId))).toEqual(new Set(committed));
    for (const id of rolledBack) expect(seen.some((e) => e.eventId === id)).toBe(false);

    const versionsByStream = new Map<string, number[]>();
    for (const event of seen) {
      versionsByStream.set(event.streamId, [
        ...(versionsByStream.get(event.streamId) ?? []),
        event.streamVersion,
      ]);
    }
    for (const versions of versionsByStream.values()) {
      expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => i + 1));
    }

    await expect(store.verifyChain()).resolves.toMatchObject({ ok: true, verifiedThrough: n });
  });

  it('never skips an append that commits late: it is stamped after it commits, and nothing is stamped past it', async () => {
    startSequencer();
    await store.append({ streamId: 'warm-up', expectedVersion: 'any', events: [anEvent()] });
    await store.waitForStamped((await store.readStream('warm-up')).map((e) => e.eventId));

    const late = anEvent('Late');
    const early = anEvent('Early');
    const slow = await db.pool.connect();
    try {
      await slow.query('BEGIN');
      await store.append({ streamId: 'slow', expectedVersion: 'any', events: [late] }, { client: slow });
      const fast = store.append({ streamId: 'fast', expectedVersion: 'any', events: [early] });
      if (db.kind === 'embedded') {
        // One transaction at a time: the fast append cannot commit before the slow one ends.
        expect(await Promise.race([fast.then(() => 'committed'), sleep(300).then(() => 'waiting')])).toBe(
          'waiting',
        );
      } else {
        await fast;
        // Whatever committed after the slow transaction began waits for it: stamping past it could skip it.
        await expect(store.waitForStamped([early.eventId!], 300)).rejects.toBeInstanceOf(StampTimeoutError);
      }
      await slow.query('COMMIT');
      await fast;
    } finally {
      slow.release();
    }
    const latePosition = await store.waitForStamped([late.eventId!]);
    const earlyPosition = await store.waitForStamped([early.eventId!]);
    expect(latePosition).toBe(2);
    expect(earlyPosition).toBe(3);
    expect((await store.readLedgerPage(0, 10)).map((e) => e.type)).toEqual(['Tested', 'Late', 'Early']);
  });

  it('reports the ledger position of an append once it is stamped', async () => {
    await expect(
      store.append({ streamId: 's', expectedVersion: 'any', events: [anEvent()] }).then((r) =>
        store.waitForStamped(
          r.events.map((e) => e.eventId),
          300,
        ),
      ),
    ).rejects.toBeInstanceOf(StampTimeoutError);
    startSequencer();
    const result = await store.append({
      streamId: 's',
      expectedVersion: 'any',
      events: [anEvent(), anEvent()],
    });
    await expect(store.waitForStamped(result.events.map((e) => e.eventId))).resolves.toBe(3);
    expect(await store.head()).toMatchObject({ position: 3 });
  });

  it('resumes after being killed mid-batch: the batch is not kept, then stamped once, the chain intact', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) {
      const events = Array.from({ length: 100 }, () => anEvent());
      await store.append({ streamId: `bulk-${i % 5}`, expectedVersion: 'any', events });
      ids.push(...events.map((e) => e.eventId!));
    }
    let kills = 0;
    const sequencer = startSequencer({
      batchSize: 1000,
      beforeCommit: async ({ fromPosition, dropConnection }) => {
        // Not the first batch, so the kill lands mid-ledger, on top of a committed head.
        if (fromPosition > 1 && kills < 2) {
          kills += 1;
          dropConnection();
          await sleep(50);
        }
      },
    });
    await store.waitForStamped(ids, 30_000);
    expect(kills).toBe(2);
    expect(sequencer.status().lastError).not.toBeNull();
    expect(await ledgerPositions()).toEqual({ count: 2500, min: 1, max: 2500, distinct: 2500 });
    await expect(store.verifyChain()).resolves.toMatchObject({ ok: true, verifiedThrough: 2500 });
  });

  it('fences out a stale leader: its batch fails on the moved head instead of doubling or forking', async () => {
    const a = new Sequencer(db.url, { signals });
    const b = new Sequencer(db.url, { signals });
    await a.connectUnelected();
    await b.connectUnelected();
    try {
      const append = (n: number) =>
        store.append({
          streamId: 'race',
          expectedVersion: 'any',
          events: Array.from({ length: n }, () => anEvent()),
        });
      await append(10);
      expect(await stampWhenEligible(b)).toBe(10); // b caches head 10
      await append(5);
      expect(await stampWhenEligible(a)).toBe(5); // a moves the head to 15; b does not know
      await append(3);
      expect(await stampWhenEligible(b)).toBe(0); // b tries 11.. on its stale head: refused
      expect(b.status().fencedOut).toBe(1);
      expect(await stampWhenEligible(b)).toBe(3); // re-read head, stamps 16..18
      expect(await ledgerPositions()).toEqual({ count: 18, min: 1, max: 18, distinct: 18 });
      await expect(store.verifyChain()).resolves.toMatchObject({ ok: true, verifiedThrough: 18 });
    } finally {
      await a.disconnectUnelected();
      await b.disconnectUnelected();
    }
  });

  it('stamps in numeric transaction order when transaction ids change their number of digits', async () => {
    // Two events as if written by transactions either side of a power of ten below today's ids: as text,
    // '1000000' sorts before '999999', and stamping in that order would leave the older one behind forever.
    const { rows } = await db.superuser.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid');
    const boundary = 10n ** BigInt(rows[0]!.xid.length - 1);
    const insert = (txId: bigint, type: string) =>
      db.superuser.query(
        `INSERT INTO events (tx_id, event_id, stream_id, stream_version, type, schema_version, data, metadata)
         VALUES ($1::xid8, $2, $3, 1, $4, 1, '{}', '{}')`,
        [txId.toString(), randomUUID(), `digits-${type}`, type],
      );
    await insert(boundary, 'Younger');
    await insert(boundary - 1n, 'Older');
    const sequencer = new Sequencer(db.url, { signals, batchSize: 1 });
    await sequencer.connectUnelected();
    try {
      expect(await stampWhenEligible(sequencer)).toBe(1);
      expect(await stampWhenEligible(sequencer)).toBe(1);
    } finally {
      await sequencer.disconnectUnelected();
    }
    expect((await store.readLedgerPage(0, 10)).map((e) => e.type)).toEqual(['Older', 'Younger']);
    await expect(store.verifyChain()).resolves.toMatchObject({ ok: true, verifiedThrough: 2 });
  });

  it('keeps the ledger dense when two unelected sequencers race batch after batch', async () => {
    const racers = [
      new Sequencer(db.url, { signals, batchSize: 50 }),
      new Sequencer(db.url, { signals, batchSize: 50 }),
    ];
    await Promise.all(racers.map((r) => r.connectUnelected()));
    const ids: string[] = [];
    let writing = true;
    const writers = Promise.all(
      Array.from({ length: 4 }, async (_, w) => {
        for (let i = 0; i < 150; i++) {
          const event = anEvent();
          await store.append({ streamId: `w-${w}`, expectedVersion: 'any', events: [event] });
          ids.push(event.eventId!);
        }
      }),
    ).finally(() => (writing = false));
    const race = racers.map(async (racer) => {
      while (writing || (await ledgerPositions()).count < ids.length) await racer.stampBatch();
    });
    await Promise.all([writers, ...race]);
    await Promise.all(racers.map((r) => r.disconnectUnelected()));
    expect(await ledgerPositions()).toEqual({ count: 600, min: 1, max: 600, distinct: 600 });
    await expect(store.verifyChain()).resolves.toMatchObject({ ok: true, verifiedThrough: 600 });
  });

  it('elects one leader among two sequencers, and the other takes over when it stops', async () => {
    const first = startSequencer();
    await until(() => first.status().state === 'leader');
    const second = startSequencer();
    await sleep(400);
    if (db.kind === 'embedded') {
      // PGlite is one session, so its advisory locks cannot elect; one process per data directory (the lock
      // file) is what keeps a second sequencer away there, and fencing keeps even two in one process exact.
      expect(second.status().state).toBe('leader');
    } else {
      expect([first.status().state, second.status().state]).toEqual(['leader', 'standby']);
    }

    const before = anEvent();
    await store.append({ streamId: 'failover', expectedVersion: 'any', events: [before] });
    await store.waitForStamped([before.eventId!]);
    expect(first.status().stamped + second.status().stamped).toBe(1);

    await first.stop();
    await until(() => second.status().state === 'leader', { timeoutMs: 5_000 });
    const after = anEvent();
    await store.append({ streamId: 'failover', expectedVersion: 'any', events: [after] });
    await expect(store.waitForStamped([after.eventId!])).resolves.toBe(2);
    await expect(store.verifyChain()).resolves.toMatchObject({ ok: true, verifiedThrough: 2 });
    if (db.kind === 'server') expect(second.status().stamped).toBe(1);
  });

  describe('append-only storage', () => {
    beforeEach(async () => {
      startSequencer();
      const result = await store.append({ streamId: 'x', expectedVersion: 'any', events: [anEvent()] });
      await store.waitForStamped(result.events.map((e) => e.eventId));
    });

    it.each([
      ['UPDATE events SET type = $$Forged$$'],
      ['DELETE FROM events'],
      ['TRUNCATE events CASCADE'],
      ['UPDATE ledger SET entry = $${}$$'],
      ['DELETE FROM ledger'],
      ['TRUNCATE ledger'],
      ['UPDATE ledger_meta SET ledger_id = gen_random_uuid()'],
      ['DELETE FROM ledger_meta'],
    ])('refuses %s, even from a superuser session in replica mode', async (sql) => {
      await expect(db.superuser.query(sql)).rejects.toMatchObject({ code: 'SL403' });
      const client = await db.superuser.connect();
      try {
        await client.query('SET session_replication_role = replica');
        await expect(client.query(sql)).rejects.toMatchObject({ code: 'SL403' });
      } finally {
        await client.query('RESET session_replication_role').catch(() => undefined);
        client.release();
      }
      expect((await db.pool.query('SELECT count(*)::int AS n FROM ledger')).rows[0].n).toBe(1);
      expect((await db.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n).toBe(1);
    });
  });

  it('gives each ledger its own identity, bound into the chain from genesis', async () => {
    const other = await createTestDatabase();
    try {
      const otherStore = new PostgresEventStore(other.pool);
      expect(await otherStore.ledgerId()).not.toBe(await store.ledgerId());
      expect((await otherStore.head()).hash).not.toBe((await store.head()).hash);
    } finally {
      await other.close();
    }
  });

  it('seals the streams an event is linked into, in its entry', async () => {
    startSequencer();
    const released = anEvent('ShipmentReleased');
    await store.append([
      { streamId: 'shipment-1', expectedVersion: 'no-stream', events: [released] },
      { streamId: 'product-H200', expectedVersion: 'any', events: [released] },
    ]);
    await store.waitForStamped([released.eventId!]);
    const [entry] = await store.readLedgerPage(0, 1);
    expect(entry).toMatchObject({
      streamId: 'shipment-1',
      links: [{ streamId: 'product-H200', streamVersion: 1 }],
    });
    const raw = await db.pool.query('SELECT entry FROM ledger WHERE position = 1');
    expect(raw.rows[0].entry).toContain('"links":[{"streamId":"product-H200","streamVersion":1}]');
    await expect(store.verifyChain()).resolves.toMatchObject({ ok: true, verifiedThrough: 1 });
  });

  it('upcasts old events read from the ledger, while the sealed bytes keep the shape they were written in', async () => {
    startSequencer();
    const old = anEvent('OrderPlaced', { orderId: 'o-1', qty: 7 }, { schemaVersion: 1 });
    await store.append({ streamId: 'order-o-1', expectedVersion: 'no-stream', events: [old] });
    await store.waitForStamped([old.eventId!]);
    const current = new PostgresEventStore(db.pool, {
      upcasters: new Upcasters([
        {
          type: 'OrderPlaced',
          fromVersion: 1,
          upcast: ({ qty, ...rest }) => ({ ...rest, quantity: qty ?? 0 }),
        },
      ]),
    });
    const [event] = await current.readLedgerPage(0, 1);
    expect(event).toMatchObject({ schemaVersion: 2, data: { orderId: 'o-1', quantity: 7 } });
    const raw = await db.pool.query('SELECT entry FROM ledger WHERE position = 1');
    expect(raw.rows[0].entry).toContain('"data":{"orderId":"o-1","qty":7}');
    await expect(current.verifyChain()).resolves.toMatchObject({ ok: true });
  });

  it('reads the whole ledger in pages, from any position', async () => {
    startSequencer();
    const events = Array.from({ length: 57 }, (_, n) => anEvent('Counted', { n }));
    await store.append({ streamId: `s-${randomUUID()}`, expectedVersion: 'any', events });
    await store.waitForStamped(events.map((e) => e.eventId!));
    const all: LedgerEvent[] = [];
    for await (const event of store.readAll({ pageSize: 10 })) all.push(event);
    expect(all.map((e) => e.data.n)).toEqual(events.map((_, n) => n));
    expect(all[1]!.prevHash).toBe(all[0]!.hash);
    const tail: LedgerEvent[] = [];
    for await (const event of store.readAll({ after: 50, through: 55, pageSize: 2 })) tail.push(event);
    expect(tail.map((e) => e.position)).toEqual([51, 52, 53, 54, 55]);
  });
});
