import { validateCommand, type CommandOf, type LedgerCommandType } from '@ledger/domain';
import { totalsOf } from './seed-runner.js';
import { seedScenario } from './seed-scenario.js';

function commandsOf<Type extends LedgerCommandType>(type: Type, which: 'accepted' | 'all' = 'accepted') {
  return seedScenario
    .filter((step) => step.command.type === type && (which === 'all' || step.refusedWith === undefined))
    .map((step) => step.command as CommandOf<Type>);
}

const sum = (quantities: number[]) => quantities.reduce((total, quantity) => total + quantity, 0);

describe('the seed scenario', () => {
  const orders = commandsOf('PlaceOrder');
  const approvals = commandsOf('GrantApproval');
  const supplies = commandsOf('RecordSupply');

  it('orders more than 2,000,000 H200 across six firms', () => {
    expect(orders.every(({ data }) => data.sku === 'H200')).toBe(true);
    expect(sum(orders.map(({ data }) => data.quantity))).toBeGreaterThan(2_000_000);
    expect(new Set(orders.map(({ data }) => data.firmId)).size).toBeGreaterThanOrEqual(6);
  });

  it('approves ByteDance, Alibaba and Tencent in one batch for more than 400,000 H200 together', () => {
    expect(approvals.map(({ data }) => data.firmId).sort()).toEqual(['alibaba', 'bytedance', 'tencent']);
    expect(new Set(approvals.map(({ data }) => data.batchId)).size).toBe(1);
    expect(sum(approvals.map(({ data }) => data.quota))).toBeGreaterThan(400_000);
  });

  it('leaves at least three firms that ordered without an approval', () => {
    const approved = new Set(approvals.map(({ data }) => data.firmId));
    const waiting = new Set(orders.map(({ data }) => data.firmId).filter((firm) => !approved.has(firm)));
    expect(waiting.size).toBeGreaterThanOrEqual(3);
  });

  it('records supply far smaller than the orders, and below the approved quota', () => {
    const supplied = sum(supplies.map(({ data }) => data.quantity));
    expect(supplied).toBeLessThan(sum(orders.map(({ data }) => data.quantity)) / 5);
    expect(supplied).toBeLessThan(sum(approvals.map(({ data }) => data.quota)));
  });

  it('never ships more than an order, a quota or the supply in the steps meant to be accepted', () => {
    const { foreign } = totalsOf(seedScenario.filter((s) => !s.refusedWith).map((s) => s.command));
    const h200 = foreign.H200!;
    expect(h200.shipped).toBeLessThanOrEqual(h200.supplied);
    const shippedTo = new Map<string, number>();
    const orderOf = new Map(orders.map(({ data }) => [data.orderId, data]));
    for (const { data } of commandsOf('ReleaseShipment')) {
      const order = orderOf.get(data.orderId)!;
      shippedTo.set(order.firmId, (shippedTo.get(order.firmId) ?? 0) + data.quantity);
    }
    for (const [firmId, shipped] of shippedTo) {
      const quota = sum(approvals.filter(({ data }) => data.firmId === firmId).map(({ data }) => data.quota));
      const ordered = sum(
        orders.filter(({ data }) => data.firmId === firmId).map(({ data }) => data.quantity),
      );
      expect(shipped).toBeLessThanOrEqual(Math.min(quota, ordered));
    }
  });

  it('is refused in six steps, one for each release rule it demonstrates', () => {
    const releaseRefusals = seedScenario
      .filter((step) => step.command.type === 'ReleaseShipment' && step.refusedWith)
      .map((step) => step.refusedWith);
    expect(releaseRefusals.sort()).toEqual([
      'IMPORTS_BLOCKED',
      'INSUFFICIENT_SUPPLY',
      'NO_APPROVAL',
      'PAIRING_SHORTFALL',
      'QUANTITY_EXCEEDS_BACKLOG',
      'QUOTA_EXCEEDED',
    ]);
  });

  it('sends only well-formed commands, each with a description', () => {
    for (const step of seedScenario) {
      expect(validateCommand(step.command)).toEqual([]);
      expect(step.description.trim()).not.toBe('');
    }
  });

  it('claims each id once among the steps meant to be accepted', () => {
    const idOf = (data: object) =>
      Object.entries(data).find(([field]) =>
        ['orderId', 'approvalId', 'licenseId', 'purchaseId', 'supplyId', 'shipmentId'].includes(field),
      )?.[1] as string | undefined;
    const claims = seedScenario
      .filter((step) => !step.refusedWith && step.command.type !== 'DeliverShipment')
      .map((step) => idOf(step.command.data))
      .filter((id) => id !== undefined);
    expect(new Set(claims).size).toBe(claims.length);
  });
});
