import { plans, seedScenario, type Fold, type Plan } from '@ledger/commands';
import {
  isDomainError,
  streamsOf,
  type LedgerCommand,
  type LedgerCommandType,
  type LedgerEvent,
  type QuotaDraw,
} from '@ledger/domain';
import type { ProjectedEvent } from '../../read-model.js';

/**
 * Histories for the read model specs. `MemoryLedger` decides commands with the command path's own plans
 * and deciders over an in-memory log, so the events it keeps are exactly those the ledger would accept.
 */
export class MemoryLedger {
  readonly events: ProjectedEvent[] = [];
  private readonly streams = new Map<string, LedgerEvent[]>();
  private readonly folded = new Map<Fold<unknown>, Map<string, { state: unknown; length: number }>>();

  /** Decides `command` at `now`; appends and returns its event, or returns the refusal's code. */
  async execute(command: LedgerCommand, now: Date): Promise<{ event?: ProjectedEvent; refused?: string }> {
    const plan = plans[command.type] as Plan<LedgerCommandType>;
    let event: LedgerEvent;
    try {
      event = await plan(command, (streamId, fold) => Promise.resolve(this.load(streamId, fold)), now);
    } catch (error) {
      if (isDomainError(error)) return { refused: error.code };
      throw error;
    }
    const projected = { position: this.events.length + 1, recordedAt: now.toISOString(), event };
    this.events.push(projected);
    for (const streamId of streamsOf(event)) {
      const stream = this.streams.get(streamId) ?? [];
      stream.push(event);
      this.streams.set(streamId, stream);
    }
    return { event: projected };
  }

  private load<State>(streamId: string, fold: Fold<State>): State {
    const cache = this.folded.get(fold) ?? new Map<string, { state: unknown; length: number }>();
    this.folded.set(fold, cache);
    const stream = this.streams.get(streamId) ?? [];
    const cached = cache.get(streamId) ?? { state: fold.initial, length: 0 };
    let state = cached.state as State;
    for (const event of stream.slice(cached.length)) state = fold.evolve(state, event);
    cache.set(streamId, { state, length: stream.length });
    return state;
  }
}

const SEED_START = Date.parse('2026-01-05T08:00:00.000Z');

/** The seed scenario run through the command path, a minute between steps; refusals as the seed expects. */
export async function seedHistory(): Promise<{ events: ProjectedEvent[]; outcomes: (string | undefined)[] }> {
  const ledger = new MemoryLedger();
  const outcomes: (string | undefined)[] = [];
  for (const [index, step] of seedScenario.entries()) {
    const { refused } = await ledger.execute(step.command, new Date(SEED_START + index * 60_000));
    outcomes.push(refused);
  }
  return { events: ledger.events, outcomes };
}

/** A small deterministic generator (mulberry32): specs must not depend on Math.random. */
export function randomSource(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  return { next, int, pick };
}

const FIRMS = ['alibaba', 'baidu', 'bytedance', 'deepseek', 'kuaishou', 'tencent'];
const FOREIGN = ['H20', 'H200', 'B30A'];
const DOMESTIC = ['ASCEND-910C', 'KUNLUN-P800'];
const BATCHES = ['batch-1', 'batch-2', 'batch-3'];

/**
 * `commands` random commands through the command path, started at `start`, 1 to 120 s apart: mostly
 * accepted, some refused (those leave no event). Licenses expire within the history.
 */
export async function randomHistory(seed: number, commands: number): Promise<ProjectedEvent[]> {
  const random = randomSource(seed);
  const ledger = new MemoryLedger();
  let time = Date.parse('2026-02-01T00:00:00.000Z');
  const ids = {
    order: [] as string[],
    approval: [] as string[],
    license: [] as string[],
    shipment: [] as string[],
  };
  const run = async (command: LedgerCommand) => {
    time += random.int(1, 120) * 1_000;
    return ledger.execute(command, new Date(time));
  };
  for (const sku of FOREIGN) {
    await run({ type: 'RegisterProduct', data: { sku, name: sku, vendor: 'Nvidia', origin: 'foreign' } });
  }
  for (const sku of DOMESTIC) {
    await run({ type: 'RegisterProduct', data: { sku, name: sku, vendor: 'Huawei', origin: 'domestic' } });
  }
  for (const firmId of FIRMS) {
    await run({ type: 'RegisterFirm', data: { firmId, name: firmId, jurisdiction: 'CN' } });
  }
  for (let n = 0; n < commands; n += 1) {
    const roll = random.next();
    const firmId = random.pick(FIRMS);
    const sku = random.pick(FOREIGN);
    const id = `${seed}-${n}`;
    const reason = 'spec';
    let command: LedgerCommand;
    if (roll < 0.2) {
      command = {
        type: 'PlaceOrder',
        data: { orderId: `o-${id}`, firmId, sku, quantity: random.int(1, 1_000) },
      };
    } else if (roll < 0.45 && ids.order.length > 0) {
      command = {
        type: 'ReleaseShipment',
        data: { shipmentId: `s-${id}`, orderId: random.pick(ids.order), quantity: random.int(1, 400) },
      };
    } else if (roll < 0.55) {
      const batchId = random.pick(BATCHES);
      command = {
        type: 'GrantApproval',
        data: { approvalId: `a-${id}`, batchId, firmId, sku, quota: random.int(1, 1_500) },
      };
    } else if (roll < 0.62) {
      command = {
        type: 'RecordSupply',
        data: { supplyId: `sup-${id}`, sku, quantity: random.int(100, 3_000) },
      };
    } else if (roll < 0.68) {
      const domestic = random.pick(DOMESTIC);
      command = {
        type: 'RecordDomesticPurchase',
        data: { purchaseId: `p-${id}`, firmId, sku: domestic, quantity: random.int(1, 300) },
      };
    } else if (roll < 0.74 && ids.shipment.length > 0) {
      command = { type: 'DeliverShipment', data: { shipmentId: random.pick(ids.shipment) } };
    } else if (roll < 0.78) {
      const validUntil =
        random.next() < 0.7 ? new Date(time + random.int(-600, 7_200) * 1_000).toISOString() : undefined;
      command = {
        type: 'GrantExportLicense',
        data: {
          licenseId: `l-${id}`,
          sku,
          vendor: 'Nvidia',
          destination: 'CN',
          ...(validUntil !== undefined && { validUntil }),
        },
      };
    } else if (roll < 0.8 && ids.license.length > 0) {
      command = { type: 'RevokeExportLicense', data: { licenseId: random.pick(ids.license), reason } };
    } else if (roll < 0.84) {
      command = { type: random.next() < 0.5 ? 'BlockImports' : 'UnblockImports', data: { sku, reason } };
    } else if (roll < 0.87) {
      command = {
        type: 'SetPairingRatio',
        data: { sku, domesticPerUnit: random.pick([0, 0.05, 0.1, 0.2, 0.3333]) },
      };
    } else if (roll < 0.91 && ids.order.length > 0) {
      command = { type: 'CancelOrder', data: { orderId: random.pick(ids.order), reason } };
    } else if (roll < 0.94 && ids.approval.length > 0) {
      command = { type: 'RevokeApproval', data: { approvalId: random.pick(ids.approval), reason } };
    } else {
      command = {
        type: 'PlaceOrder',
        data: { orderId: `o-${id}`, firmId, sku, quantity: random.int(1, 1_000) },
      };
    }
    const { event } = await run(command);
    const data = event?.event.data;
    if (data && 'orderId' in data && event?.event.type === 'OrderPlaced') ids.order.push(data.orderId);
    if (data && 'approvalId' in data && event?.event.type === 'ApprovalGranted')
      ids.approval.push(data.approvalId);
    if (data && 'licenseId' in data && event?.event.type === 'ExportLicenseGranted')
      ids.license.push(data.licenseId);
    if (data && 'shipmentId' in data && event?.event.type === 'ShipmentReleased')
      ids.shipment.push(data.shipmentId);
  }
  return ledger.events;
}

/**
 * `count` events shaped like a busy ledger (many firms, orders, approvals and shipments drawing from
 * them), built directly rather than decided: fast enough for a speed guard. Quantities stay consistent
 * (no shipment beyond its order or its quota).
 */
export function syntheticHistory(count: number, seed = 1): ProjectedEvent[] {
  const random = randomSource(seed);
  const events: ProjectedEvent[] = [];
  const start = Date.parse('2026-03-01T00:00:00.000Z');
  const push = (event: LedgerEvent) =>
    events.push({
      position: events.length + 1,
      recordedAt: new Date(start + events.length * 50).toISOString(),
      event,
    });
  const skus = ['H200', 'H20', 'B30A', 'B40', 'L20'];
  const firms = Array.from({ length: 300 }, (_, i) => `firm-${i}`);
  for (const sku of skus)
    push({ type: 'ProductRegistered', data: { sku, name: sku, vendor: 'Nvidia', origin: 'foreign' } });
  push({
    type: 'ProductRegistered',
    data: { sku: 'ASCEND-910C', name: 'Ascend', vendor: 'Huawei', origin: 'domestic' },
  });
  for (const firmId of firms)
    push({ type: 'FirmRegistered', data: { firmId, name: firmId, jurisdiction: 'CN' } });

  type Order = { orderId: string; firmId: string; sku: string; outstanding: number };
  type Approval = { approvalId: string; left: number; revoked: boolean };
  const open: Order[] = [];
  const quotas = new Map<string, Approval[]>();
  const inTransit: { shipmentId: string; orderId: string }[] = [];
  let approvals = 0;
  while (events.length < count) {
    const n = events.length;
    const roll = random.next();
    const firmId = random.pick(firms);
    const sku = random.pick(skus);
    if (roll < 0.22 || open.length === 0) {
      const order = { orderId: `o-${n}`, firmId, sku, outstanding: random.int(10, 5_000) };
      open.push(order);
      push({
        type: 'OrderPlaced',
        data: { orderId: order.orderId, firmId, sku, quantity: order.outstanding },
      });
    } else if (roll < 0.6) {
      const at = random.int(0, open.length - 1);
      const order = open[at] as Order;
      const mine = quotas.get(`${order.firmId}/${order.sku}`) ?? [];
      let wanted = Math.min(order.outstanding, random.int(1, 300));
      const drawnFrom: QuotaDraw[] = [];
      for (const approval of mine) {
        if (wanted === 0) break;
        const taken = Math.min(wanted, approval.revoked ? 0 : approval.left);
        if (taken === 0) continue;
        approval.left -= taken;
        wanted -= taken;
        drawnFrom.push({ approvalId: approval.approvalId, quantity: taken });
      }
      const quantity = drawnFrom.reduce((sum, draw) => sum + draw.quantity, 0);
      if (quantity === 0) {
        const approvalId = `a-${n}`;
        const quota = random.int(500, 20_000);
        mine.push({ approvalId, left: quota, revoked: false });
        quotas.set(`${order.firmId}/${order.sku}`, mine);
        approvals += 1;
        const batchId = `batch-${Math.floor(approvals / 50)}`;
        push({
          type: 'ApprovalGranted',
          data: { approvalId, batchId, firmId: order.firmId, sku: order.sku, quota },
        });
        continue;
      }
      order.outstanding -= quantity;
      if (order.outstanding === 0) open.splice(at, 1);
      const shipmentId = `s-${n}`;
      inTransit.push({ shipmentId, orderId: order.orderId });
      push({
        type: 'ShipmentReleased',
        data: {
          shipmentId,
          orderId: order.orderId,
          firmId: order.firmId,
          sku: order.sku,
          quantity,
          drawnFrom,
        },
      });
    } else if (roll < 0.78 && inTransit.length > 0) {
      const at = random.int(0, inTransit.length - 1);
      const shipment = inTransit[at] as { shipmentId: string; orderId: string };
      inTransit[at] = inTransit[inTransit.length - 1] as { shipmentId: string; orderId: string };
      inTransit.pop();
      push({ type: 'ShipmentDelivered', data: shipment });
    } else if (roll < 0.82) {
      const at = random.int(0, open.length - 1);
      const order = open[at] as Order;
      open.splice(at, 1);
      push({
        type: 'OrderCancelled',
        data: { orderId: order.orderId, reason: 'bench', cancelledQuantity: order.outstanding },
      });
    } else if (roll < 0.9) {
      push({
        type: 'DomesticPurchaseRecorded',
        data: { purchaseId: `p-${n}`, firmId, sku: 'ASCEND-910C', quantity: random.int(1, 2_000) },
      });
    } else if (roll < 0.96) {
      push({
        type: 'SupplyRecorded',
        data: { supplyId: `sup-${n}`, sku, quantity: random.int(1_000, 50_000) },
      });
    } else if (roll < 0.97) {
      const mine = quotas.get(`${firmId}/${sku}`)?.find((approval) => !approval.revoked);
      if (!mine) continue;
      mine.revoked = true;
      push({
        type: 'ApprovalRevoked',
        data: { approvalId: mine.approvalId, firmId, sku, reason: 'bench', voidedQuota: mine.left },
      });
    } else if (roll < 0.98) {
      push({
        type: 'ExportLicenseGranted',
        data: {
          licenseId: `l-${n}`,
          sku,
          vendor: 'Nvidia',
          destination: 'CN',
          validUntil: new Date(start + (n + random.int(0, 20_000)) * 50).toISOString(),
        },
      });
    } else if (roll < 0.99) {
      push({ type: 'PairingRatioSet', data: { sku, domesticPerUnit: random.pick([0, 0.1, 0.2, 0.5]) } });
    } else {
      push({
        type: random.next() < 0.5 ? 'ImportsBlocked' : 'ImportsUnblocked',
        data: { sku, reason: 'bench' },
      });
    }
  }
  return events;
}
