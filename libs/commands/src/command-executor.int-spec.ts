import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@ledger/database/testing';
import { DomainError, productStream, type LedgerCommand } from '@ledger/domain';
import { LedgerSignals, PostgresEventStore, Sequencer } from '@ledger/event-store';
import { CommandExecutor, type CommandContext } from './command-executor.js';

function context(): CommandContext {
  const id = randomUUID();
  return { actor: 'ops', role: 'admin', correlationId: id, causationId: id, commandId: id };
}

describe('CommandExecutor', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let sequencer: Sequencer;
  let executor: CommandExecutor;
  const now = new Date('2026-11-29T12:00:00.000Z');

  beforeEach(async () => {
    db = await createTestDatabase();
    const signals = new LedgerSignals();
    store = new PostgresEventStore(db.pool, { signals });
    sequencer = new Sequencer(db.url, { signals });
    sequencer.start();
    executor = new CommandExecutor(store, { now: () => now });
  });
  afterEach(async () => {
    await sequencer.stop();
    await db.close();
  });

  const run = (command: LedgerCommand, using = executor) => using.execute(command, context());

  /** H200 with a license and bytedance with one order; quota, supply and order size as given. */
  async function market({ quota, supply, ordered }: { quota: number; supply: number; ordered: number }) {
    await run({
      type: 'RegisterProduct',
      data: { sku: 'H200', name: 'H200', vendor: 'Nvidia', origin: 'foreign' },
    });
    await run({ type: 'RegisterFirm', data: { firmId: 'bytedance', name: 'ByteDance', jurisdiction: 'CN' } });
    await run({
      type: 'GrantExportLicense',
      data: { licenseId: 'L-1', sku: 'H200', vendor: 'Nvidia', destination: 'CN' },
    });
    await run({
      type: 'GrantApproval',
      data: { approvalId: 'A-1', batchId: 'batch-1', firmId: 'bytedance', sku: 'H200', quota },
    });
    await run({ type: 'RecordSupply', data: { supplyId: 'S-1', sku: 'H200', quantity: supply } });
    await run({
      type: 'PlaceOrder',
      data: { orderId: 'O-1', firmId: 'bytedance', sku: 'H200', quantity: ordered },
    });
  }

  async function releaseConcurrently(count: number, quantity: number) {
    const outcomes = await Promise.allSettled(
      Array.from({ length: count }, (_, i) =>
        run({ type: 'ReleaseShipment', data: { shipmentId: `SH-${i}`, orderId: 'O-1', quantity } }),
      ),
    );
    const refusals = outcomes
      .filter((o): o is PromiseRejectedResult => o.status === 'rejected')
      .map((o) => (o.reason instanceof DomainError ? o.reason.code : String(o.reason)));
    return { accepted: outcomes.filter((o) => o.status === 'fulfilled').length, refusals };
  }

  async function releasedInLedger(): Promise<number> {
    const events = await store.readStream(productStream('H200'));
    return events
      .filter((e) => e.type === 'ShipmentReleased')
      .reduce((sum, e) => sum + (e.data.quantity as number), 0);
  }

  it('appends the decided event with full metadata and answers with its ledger position', async () => {
    const ctx = context();
    const result = await executor.execute(
      { type: 'RegisterProduct', data: { sku: 'H200', name: 'H200', vendor: 'Nvidia', origin: 'foreign' } },
      ctx,
    );
    expect(result).toMatchObject({
      position: 1,
      events: [{ type: 'ProductRegistered', streamId: 'product-H200', version: 1 }],
    });
    const [event] = await store.readLedgerPage(0, 1);
    expect(event).toMatchObject({
      type: 'ProductRegistered',
      metadata: ctx,
      data: { sku: 'H200', origin: 'foreign' },
    });
  });

  it('appends nothing when a command is refused', async () => {
    await market({ quota: 100, supply: 100, ordered: 100 });
    const before = await store.head();
    await expect(
      run({ type: 'ReleaseShipment', data: { shipmentId: 'SH-X', orderId: 'O-1', quantity: 101 } }),
    ).rejects.toMatchObject({ code: 'QUANTITY_EXCEEDS_BACKLOG' });
    await expect(
      run({ type: 'RegisterFirm', data: { firmId: 'bytedance', name: 'again', jurisdiction: 'CN' } }),
    ).rejects.toMatchObject({ code: 'FIRM_ALREADY_REGISTERED' });
    const count = await db.pool.query('SELECT count(*)::int AS n FROM events');
    expect(count.rows[0].n).toBe(before.position);
  });

  it('never over-allocates a quota: 100 simultaneous releases stop exactly at it', async () => {
    await market({ quota: 500, supply: 100_000, ordered: 100_000 });
    const { accepted, refusals } = await releaseConcurrently(100, 10);
    expect(accepted).toBe(50);
    expect(refusals).toEqual(Array(50).fill('QUOTA_EXCEEDED'));
    expect(await releasedInLedger()).toBe(500);
    await expect(store.verifyChain()).resolves.toMatchObject({ ok: true });
  });

  it('never ships more than an order: 100 simultaneous releases stop exactly at its backlog', async () => {
    await market({ quota: 100_000, supply: 100_000, ordered: 300 });
    const { accepted, refusals } = await releaseConcurrently(100, 10);
    expect(accepted).toBe(30);
    expect(refusals).toEqual(Array(70).fill('QUANTITY_EXCEEDS_BACKLOG'));
    expect(await releasedInLedger()).toBe(300);
  });

  it('never ships more than the supply: 100 simultaneous releases stop exactly at it', async () => {
    await market({ quota: 100_000, supply: 250, ordered: 100_000 });
    const { accepted, refusals } = await releaseConcurrently(100, 10);
    expect(accepted).toBe(25);
    expect(refusals).toEqual(Array(75).fill('INSUFFICIENT_SUPPLY'));
    expect(await releasedInLedger()).toBe(250);
  });

  it('decides again on fresh state when another instance changed what its cache holds', async () => {
    await market({ quota: 1_000, supply: 10, ordered: 1_000 });
    const other = new CommandExecutor(store, { now: () => now });
    await run({ type: 'ReleaseShipment', data: { shipmentId: 'SH-0', orderId: 'O-1', quantity: 10 } }); // caches H200
    await run({ type: 'RecordSupply', data: { supplyId: 'S-2', sku: 'H200', quantity: 20 } }, other);
    // This executor's cached H200 says the supply is used up; the database says 20 more arrived.
    await expect(
      run({ type: 'ReleaseShipment', data: { shipmentId: 'SH-1', orderId: 'O-1', quantity: 20 } }),
    ).resolves.toMatchObject({ events: [{ type: 'ShipmentReleased' }] });
    // And a stale cache never lets one through: the other instance still believes 20 are available.
    await expect(
      run({ type: 'ReleaseShipment', data: { shipmentId: 'SH-2', orderId: 'O-1', quantity: 20 } }, other),
    ).rejects.toMatchObject({ code: 'INSUFFICIENT_SUPPLY' });
    expect(await releasedInLedger()).toBe(30);
  });

  describe('streams it has not cached', () => {
    const readsOf = (spy: jest.SpiedFunction<PostgresEventStore['readStream']>) =>
      spy.mock.calls.map(([streamId]) => streamId);

    it('takes a stream the event writes to be new, without reading it', async () => {
      await market({ quota: 1_000, supply: 1_000, ordered: 1_000 });
      const spy = jest.spyOn(store, 'readStream');
      await run({ type: 'ReleaseShipment', data: { shipmentId: 'SH-new', orderId: 'O-1', quantity: 10 } });
      expect(readsOf(spy)).not.toContain('shipment-SH-new');
      spy.mockRestore();
    });

    it('still refuses a reused id that it did not know: the append conflicts and the stream is read', async () => {
      await market({ quota: 1_000, supply: 1_000, ordered: 1_000 });
      await run({ type: 'ReleaseShipment', data: { shipmentId: 'SH-1', orderId: 'O-1', quantity: 10 } });
      const restarted = new CommandExecutor(store, { now: () => now }); // an empty cache
      const spy = jest.spyOn(store, 'readStream');
      await expect(
        run(
          { type: 'ReleaseShipment', data: { shipmentId: 'SH-1', orderId: 'O-1', quantity: 10 } },
          restarted,
        ),
      ).rejects.toMatchObject({ code: 'SHIPMENT_ALREADY_EXISTS' });
      expect(readsOf(spy)).toContain('shipment-SH-1');
      spy.mockRestore();
      expect(await releasedInLedger()).toBe(10);
    });

    it('reads a stream the event only reads before the decision counts', async () => {
      await market({ quota: 1_000, supply: 1_000, ordered: 1_000 });
      // The firm's stream is read by a release (its approvals) but not written: the restarted executor must
      // not take bytedance to be unregistered, nor decide on an empty firm.
      const restarted = new CommandExecutor(store, { now: () => now });
      await expect(
        run(
          { type: 'ReleaseShipment', data: { shipmentId: 'SH-2', orderId: 'O-1', quantity: 10 } },
          restarted,
        ),
      ).resolves.toMatchObject({ events: [{ type: 'ShipmentReleased' }] });
      const [released] = (await store.readStream('shipment-SH-2')).map((event) => event.data);
      expect(released).toMatchObject({ quantity: 10, drawnFrom: [{ approvalId: 'A-1', quantity: 10 }] });
    });
  });

  describe('releases decided in rounds', () => {
    it('appends a burst on one order in few appends, each release answered with its own version', async () => {
      await market({ quota: 100_000, supply: 100_000, ordered: 100_000 });
      const appends = jest.spyOn(store, 'append');
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          run({ type: 'ReleaseShipment', data: { shipmentId: `SH-R${i}`, orderId: 'O-1', quantity: 1 } }),
        ),
      );
      expect(appends.mock.calls.length).toBeLessThan(30);
      appends.mockRestore();
      expect(new Set(results.map((result) => result.position)).size).toBe(30);
      const product = await store.readStream(productStream('H200'));
      const releases = product.filter((event) => event.type === 'ShipmentReleased');
      expect(releases.map((event) => event.data.shipmentId).sort()).toEqual(
        Array.from({ length: 30 }, (_, i) => `SH-R${i}`).sort(),
      );
      // Each answer names its own event, stored in its own shipment stream.
      expect(results.map((result) => result.events[0]!.streamId).sort()).toEqual(
        Array.from({ length: 30 }, (_, i) => `shipment-SH-R${i}`).sort(),
      );
      expect(await releasedInLedger()).toBe(30);
    });

    it('refuses the second of two releases of one shipment id decided in the same round', async () => {
      await market({ quota: 1_000, supply: 1_000, ordered: 1_000 });
      const outcomes = await Promise.allSettled(
        [1, 2].map(() =>
          run({ type: 'ReleaseShipment', data: { shipmentId: 'SH-twice', orderId: 'O-1', quantity: 10 } }),
        ),
      );
      expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
      const refused = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')!;
      expect(refused.reason).toMatchObject({ code: 'SHIPMENT_ALREADY_EXISTS' });
      expect(await releasedInLedger()).toBe(10);
    });

    it('answers each group of a round on its own when one group’s append fails unexpectedly', async () => {
      await market({ quota: 1_000, supply: 1_000, ordered: 1_000 });
      await run({
        type: 'RegisterProduct',
        data: { sku: 'H20', name: 'H20', vendor: 'Nvidia', origin: 'foreign' },
      });
      await run({
        type: 'GrantExportLicense',
        data: { licenseId: 'L-2', sku: 'H20', vendor: 'Nvidia', destination: 'CN' },
      });
      await run({
        type: 'GrantApproval',
        data: { approvalId: 'A-2', batchId: 'batch-2', firmId: 'bytedance', sku: 'H20', quota: 1_000 },
      });
      await run({ type: 'RecordSupply', data: { supplyId: 'S-2', sku: 'H20', quantity: 1_000 } });
      await run({
        type: 'PlaceOrder',
        data: { orderId: 'O-2', firmId: 'bytedance', sku: 'H20', quantity: 1_000 },
      });
      const append = store.append.bind(store);
      const spy = jest.spyOn(store, 'append');
      // The round after the lead holds two releases on O-1 and one on O-2: two groups, the first breaks.
      spy.mockImplementationOnce(append).mockRejectedValueOnce(new Error('connection lost'));
      const outcomes = await Promise.allSettled(
        [
          { shipmentId: 'SH-lead', orderId: 'O-1' },
          { shipmentId: 'SH-a1', orderId: 'O-1' },
          { shipmentId: 'SH-a2', orderId: 'O-1' },
          { shipmentId: 'SH-b', orderId: 'O-2' },
        ].map((data) => run({ type: 'ReleaseShipment', data: { ...data, quantity: 10 } })),
      );
      spy.mockRestore();
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
      expect((await store.readStream('shipment-SH-a1')).length).toBe(0);
      expect((await store.readStream('shipment-SH-b')).length).toBe(1);
    });

    it('never over-allocates when two instances release against one quota at once', async () => {
      await market({ quota: 400, supply: 100_000, ordered: 100_000 });
      const otherStore = new PostgresEventStore(db.pool, { signals: store.signals });
      const other = new CommandExecutor(otherStore, { now: () => now });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 80 }, (_, i) =>
          run(
            { type: 'ReleaseShipment', data: { shipmentId: `SH-I${i}`, orderId: 'O-1', quantity: 10 } },
            i % 2 === 0 ? executor : other,
          ),
        ),
      );
      const accepted = outcomes.filter((o) => o.status === 'fulfilled').length;
      const refusals = outcomes
        .filter((o): o is PromiseRejectedResult => o.status === 'rejected')
        .map((o) => (o.reason as DomainError).code);
      expect(accepted).toBe(40);
      expect(refusals).toEqual(Array(40).fill('QUOTA_EXCEEDED'));
      expect(await releasedInLedger()).toBe(400);
    });
  });
});
