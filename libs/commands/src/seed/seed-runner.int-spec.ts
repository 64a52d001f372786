import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@ledger/database/testing';
import { DomainError, ERROR_KINDS, type LedgerCommand } from '@ledger/domain';
import { LedgerSignals, PostgresEventStore, Sequencer } from '@ledger/event-store';
import { CommandExecutor } from '../command-executor.js';
import { runSeed, type SeedReport } from './seed-runner.js';
import { seedScenario } from './seed-scenario.js';

describe('runSeed', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let sequencer: Sequencer;
  let executor: CommandExecutor;
  let first: SeedReport;

  beforeAll(async () => {
    db = await createTestDatabase();
    const signals = new LedgerSignals();
    store = new PostgresEventStore(db.pool, { signals });
    sequencer = new Sequencer(db.url, { signals });
    sequencer.start();
    executor = new CommandExecutor(store);
    first = await runSeed(executor);
  });
  afterAll(async () => {
    await sequencer.stop();
    await db.close();
  });

  const eventCount = async () =>
    (await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events')).rows[0]!.n;

  it('runs the whole scenario on an empty ledger, every step ending as it says', () => {
    const surprises = first.steps.filter((step) => !step.asExpected);
    expect(surprises).toEqual([]);
    expect(first.halted).toBeNull();
    expect(first.ok).toBe(true);
    expect(first.steps).toHaveLength(seedScenario.length);
    const meantToRefuse = seedScenario.filter((step) => step.refusedWith).length;
    expect(first.refused).toBe(meantToRefuse);
    expect(first.accepted).toBe(seedScenario.length - meantToRefuse);
    for (const [i, step] of first.steps.entries()) {
      const refusedWith = seedScenario[i]!.refusedWith;
      if (refusedWith) expect(step).toMatchObject({ outcome: 'refused', code: refusedWith });
      else expect(step).toMatchObject({ outcome: 'accepted', position: expect.any(Number) });
    }
  });

  it('appends one event per accepted step, stamped in order, with the run in their metadata', async () => {
    const positions = first.steps.flatMap((step) => (step.position === undefined ? [] : [step.position]));
    expect(positions).toEqual(Array.from({ length: first.accepted }, (_, i) => i + 1));
    expect(first.position).toBe(first.accepted);
    expect(await eventCount()).toBe(first.accepted);
    expect((await store.head()).position).toBe(first.accepted);

    const events = await store.readLedgerPage(0, 1_000);
    const acceptedSteps = first.steps.filter((step) => step.outcome === 'accepted');
    expect(events.map((event) => event.metadata)).toEqual(
      acceptedSteps.map((step) => ({
        actor: 'seed',
        role: 'admin',
        correlationId: first.correlationId,
        causationId: step.commandId,
        commandId: step.commandId,
      })),
    );
    await expect(store.verifyChain()).resolves.toMatchObject({ ok: true });
  });

  it('totals more than 2,000,000 H200 ordered, more than 400,000 approved, the rest awaiting', () => {
    const h200 = first.totals.foreign.H200!;
    expect(h200.ordered).toBeGreaterThan(2_000_000);
    expect(h200.approvedQuota).toBeGreaterThan(400_000);
    expect(h200.firmsApproved.sort()).toEqual(['alibaba', 'bytedance', 'tencent']);
    expect(h200.firmsAwaiting.length).toBeGreaterThanOrEqual(3);
    expect(h200.awaitingApproval).toBeGreaterThan(0);
    expect(h200.supplied).toBeLessThan(h200.ordered);
    expect(h200.shipped).toBeGreaterThan(0);
    expect(h200.shipped).toBeLessThanOrEqual(Math.min(h200.supplied, h200.approvedQuota));
    expect(first.totals.domesticPurchased['ASCEND-910C']).toBeGreaterThan(0);
  });

  it('appends nothing when run again: its first step is refused as a reused id, the rest skipped', async () => {
    const before = await eventCount();
    const steps: number[] = [];
    const again = await runSeed(executor, { onStep: (result) => steps.push(result.step) });

    expect(await eventCount()).toBe(before);
    expect(again.ok).toBe(false);
    expect(again.accepted).toBe(0);
    expect(again.position).toBe(0);
    expect(again.halted).toMatchObject({ step: 1 });
    expect(again.halted!.reason).toContain('PRODUCT_ALREADY_REGISTERED');
    expect(again.steps[0]).toMatchObject({ outcome: 'refused', code: 'PRODUCT_ALREADY_REGISTERED' });
    expect(again.steps.slice(1).every((step) => step.outcome === 'skipped')).toBe(true);
    expect(steps).toEqual([1]); // onStep only for steps that ran
  });

  it('refuses each id-claiming accepted step again with a conflict code, appending nothing', async () => {
    // BlockImports and SetPairingRatio claim no id: after the run the block is lifted and a ratio can
    // always be set again, so sent alone they would be accepted; that is why a second run stops at step 1.
    const claiming = seedScenario.filter(
      (step) =>
        !step.refusedWith && step.command.type !== 'BlockImports' && step.command.type !== 'SetPairingRatio',
    );
    const before = await eventCount();
    const codes: string[] = [];
    for (const { command } of claiming) {
      const error = await executor.execute(command, context()).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DomainError);
      codes.push((error as DomainError).code);
    }
    expect(codes.filter((code) => ERROR_KINDS[code as keyof typeof ERROR_KINDS] !== 'conflict')).toEqual([]);
    expect(new Set(codes)).toEqual(
      new Set([
        'PRODUCT_ALREADY_REGISTERED',
        'FIRM_ALREADY_REGISTERED',
        'LICENSE_ALREADY_EXISTS',
        'ORDER_ALREADY_EXISTS',
        'APPROVAL_ALREADY_EXISTS',
        'IMPORTS_NOT_BLOCKED',
        'PURCHASE_ALREADY_RECORDED',
        'SUPPLY_ALREADY_RECORDED',
        'SHIPMENT_ALREADY_EXISTS',
        'SHIPMENT_ALREADY_DELIVERED',
      ]),
    );
    expect(await eventCount()).toBe(before);
  });

  it('stops at the first step that does not end as it says and skips the rest', async () => {
    const fresh: LedgerCommand = {
      type: 'RegisterFirm',
      data: { firmId: 'moore-threads', name: 'Moore Threads', jurisdiction: 'CN' },
    };
    const before = await eventCount();
    const report = await runSeed(executor, {
      steps: [
        { description: 'a firm that is already there', command: seedScenario[3]!.command },
        { description: 'never sent', command: fresh },
      ],
    });
    expect(report.halted).toMatchObject({ step: 1 });
    expect(report.steps.map((step) => step.outcome)).toEqual(['refused', 'skipped']);
    expect(await eventCount()).toBe(before);

    const wrongExpectation = await runSeed(executor, {
      steps: [
        { description: 'meant to be refused', command: fresh, refusedWith: 'FIRM_NOT_FOUND' },
        { description: 'never sent', command: seedScenario[0]!.command },
      ],
    });
    expect(wrongExpectation.steps.map((step) => [step.outcome, step.asExpected])).toEqual([
      ['accepted', false],
      ['skipped', false],
    ]);
    expect(wrongExpectation.halted!.reason).toMatch(/was accepted; expected refusal FIRM_NOT_FOUND/);
  });

  it('stops before the next step once aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const report = await runSeed(executor, { signal: controller.signal });
    expect(report.halted).toMatchObject({ step: 1, reason: 'aborted before step 1' });
    expect(report.steps.every((step) => step.outcome === 'skipped')).toBe(true);
  });
});

function context() {
  const id = randomUUID();
  return { actor: 'test', role: 'admin', correlationId: id, causationId: id, commandId: id };
}
