import { isDomesticPerUnit, type LedgerEvent } from '@ledger/domain';
import type { JsonValue } from '@ledger/event-store';
import { addOnce, sortedEntries } from './support.js';

/**
 * What one firm has ordered, been shipped and been approved of one foreign sku: the fold that both the
 * allocations (a row per holding) and the backlog (sums per sku) read.
 *
 * Quota: `approvedQuota` is every quota granted minus the `voidedQuota` of each revocation, so a revoked
 * approval still counts for what shipments drew from it before the revocation, and
 * approvedQuota = quota drawn + remainingQuota. `remainingQuota` is the undrawn quota of active approvals.
 *
 * Events come from the ledger after its rules held; one that refers to something this fold does not know
 * (an order never placed, an approval never granted, an id claimed twice, a revocation of a revoked
 * approval, a malformed ratio) is ignored rather than thrown on, so one odd event cannot stop the reads.
 */
export type Holding = {
  /** The row key: `firmId/sku` (a firm id is a slug, so the `/` is unambiguous). */
  readonly key: string;
  readonly firmId: string;
  readonly sku: string;
  ordered: number;
  cancelled: number;
  shipped: number;
  approvedQuota: number;
  remainingQuota: number;
  /** Approvals granted and not revoked. */
  activeApprovals: number;
};

type OrderRef = { holding: Holding; cancelled: boolean };
type ApprovalRef = { holding: Holding; quota: number; used: number; revoked: boolean };
type SkuControls = { importsBlocked: boolean; domesticPerUnit: number; holdings: Holding[] };
type FirmLedger = { domesticPurchased: number; holdings: Holding[] };

export type HoldingsState = {
  holdings: Map<string, Holding>;
  orders: Map<string, OrderRef>;
  approvals: Map<string, ApprovalRef>;
  skus: Map<string, SkuControls>;
  firms: Map<string, FirmLedger>;
};

const NONE: readonly Holding[] = [];

export function holdingKey(firmId: string, sku: string): string {
  return `${firmId}/${sku}`;
}

export function initialHoldings(): HoldingsState {
  return { holdings: new Map(), orders: new Map(), approvals: new Map(), skus: new Map(), firms: new Map() };
}

export function skuControls(state: HoldingsState, sku: string): SkuControls {
  let controls = state.skus.get(sku);
  if (!controls) {
    controls = { importsBlocked: false, domesticPerUnit: 0, holdings: [] };
    state.skus.set(sku, controls);
  }
  return controls;
}

export function firmLedger(state: HoldingsState, firmId: string): FirmLedger {
  let firm = state.firms.get(firmId);
  if (!firm) {
    firm = { domesticPurchased: 0, holdings: [] };
    state.firms.set(firmId, firm);
  }
  return firm;
}

function holdingOf(state: HoldingsState, firmId: string, sku: string): Holding {
  const key = holdingKey(firmId, sku);
  let holding = state.holdings.get(key);
  if (!holding) {
    holding = {
      key,
      firmId,
      sku,
      ordered: 0,
      cancelled: 0,
      shipped: 0,
      approvedQuota: 0,
      remainingQuota: 0,
      activeApprovals: 0,
    };
    index(state, holding);
  }
  return holding;
}

function index(state: HoldingsState, holding: Holding): void {
  state.holdings.set(holding.key, holding);
  skuControls(state, holding.sku).holdings.push(holding);
  firmLedger(state, holding.firmId).holdings.push(holding);
}

export function backlogOf(holding: Holding): number {
  return holding.ordered - holding.cancelled - holding.shipped;
}

/**
 * Applies one event; returns the holdings whose content it may have changed, or whose row depends on
 * what it changed (the sku's import block and ratio, the firm's domestic purchases). The list is the
 * caller's to read, not to change.
 */
export function evolveHoldings(state: HoldingsState, event: LedgerEvent): readonly Holding[] {
  switch (event.type) {
    case 'OrderPlaced': {
      const { orderId, firmId, sku, quantity } = event.data;
      if (state.orders.has(orderId)) return NONE;
      const holding = holdingOf(state, firmId, sku);
      state.orders.set(orderId, { holding, cancelled: false });
      holding.ordered += quantity;
      return [holding];
    }
    case 'OrderCancelled': {
      const order = state.orders.get(event.data.orderId);
      if (!order || order.cancelled) return NONE;
      order.cancelled = true;
      order.holding.cancelled += event.data.cancelledQuantity;
      return [order.holding];
    }
    case 'ShipmentReleased': {
      const order = state.orders.get(event.data.orderId);
      if (!order) return NONE;
      order.holding.shipped += event.data.quantity;
      const touched = [order.holding];
      for (const draw of event.data.drawnFrom) {
        const approval = state.approvals.get(draw.approvalId);
        if (!approval) continue;
        approval.used += draw.quantity;
        if (!approval.revoked) approval.holding.remainingQuota -= draw.quantity;
        addOnce(touched, approval.holding);
      }
      return touched;
    }
    case 'ApprovalGranted': {
      const { approvalId, firmId, sku, quota } = event.data;
      if (state.approvals.has(approvalId)) return NONE;
      const holding = holdingOf(state, firmId, sku);
      state.approvals.set(approvalId, { holding, quota, used: 0, revoked: false });
      holding.approvedQuota += quota;
      holding.remainingQuota += quota;
      holding.activeApprovals += 1;
      return [holding];
    }
    case 'ApprovalRevoked': {
      const approval = state.approvals.get(event.data.approvalId);
      if (!approval || approval.revoked) return NONE;
      approval.revoked = true;
      const { holding } = approval;
      holding.approvedQuota -= event.data.voidedQuota;
      holding.remainingQuota -= approval.quota - approval.used;
      holding.activeApprovals -= 1;
      return [holding];
    }
    case 'ImportsBlocked':
    case 'ImportsUnblocked': {
      const controls = skuControls(state, event.data.sku);
      controls.importsBlocked = event.type === 'ImportsBlocked';
      return controls.holdings;
    }
    case 'PairingRatioSet': {
      if (!isDomesticPerUnit(event.data.domesticPerUnit)) return NONE;
      const controls = skuControls(state, event.data.sku);
      controls.domesticPerUnit = event.data.domesticPerUnit;
      return controls.holdings;
    }
    case 'DomesticPurchaseRecorded': {
      const firm = firmLedger(state, event.data.firmId);
      firm.domesticPurchased += event.data.quantity;
      return firm.holdings;
    }
    case 'ProductRegistered':
    case 'FirmRegistered':
    case 'ExportLicenseGranted':
    case 'ExportLicenseRevoked':
    case 'SupplyRecorded':
    case 'ShipmentDelivered':
      return NONE;
  }
}

type HoldingTuple = [string, string, number, number, number, number, number, number];
type OrderTuple = [string, string, boolean];
type ApprovalTuple = [string, string, number, number, boolean];
type SkuTuple = [string, boolean, number];
type FirmTuple = [string, number];

type HoldingsSnapshot = {
  holdings: HoldingTuple[];
  orders: OrderTuple[];
  approvals: ApprovalTuple[];
  skus: SkuTuple[];
  firms: FirmTuple[];
};

export function snapshotHoldings(state: HoldingsState): JsonValue {
  const snapshot: HoldingsSnapshot = {
    holdings: sortedEntries(state.holdings, (_, h): HoldingTuple => [
      h.firmId,
      h.sku,
      h.ordered,
      h.cancelled,
      h.shipped,
      h.approvedQuota,
      h.remainingQuota,
      h.activeApprovals,
    ]),
    orders: sortedEntries(state.orders, (orderId, o): OrderTuple => [orderId, o.holding.key, o.cancelled]),
    approvals: sortedEntries(state.approvals, (approvalId, a): ApprovalTuple => [
      approvalId,
      a.holding.key,
      a.quota,
      a.used,
      a.revoked,
    ]),
    skus: sortedEntries(state.skus, (sku, s): SkuTuple => [sku, s.importsBlocked, s.domesticPerUnit]),
    firms: sortedEntries(state.firms, (firmId, f): FirmTuple => [firmId, f.domesticPurchased]),
  };
  return snapshot;
}

export function restoreHoldings(json: JsonValue): HoldingsState {
  const snapshot = json as unknown as HoldingsSnapshot;
  const state = initialHoldings();
  for (const [sku, importsBlocked, domesticPerUnit] of snapshot.skus) {
    state.skus.set(sku, { importsBlocked, domesticPerUnit, holdings: [] });
  }
  for (const [firmId, domesticPurchased] of snapshot.firms) {
    state.firms.set(firmId, { domesticPurchased, holdings: [] });
  }
  for (const [
    firmId,
    sku,
    ordered,
    cancelled,
    shipped,
    approvedQuota,
    remainingQuota,
    active,
  ] of snapshot.holdings) {
    const key = holdingKey(firmId, sku);
    index(state, {
      key,
      firmId,
      sku,
      ordered,
      cancelled,
      shipped,
      approvedQuota,
      remainingQuota,
      activeApprovals: active,
    });
  }
  const holding = (key: string): Holding => {
    const found = state.holdings.get(key);
    if (!found) throw new Error(`snapshot refers to holding ${key}, which it does not hold`);
    return found;
  };
  for (const [orderId, key, cancelled] of snapshot.orders) {
    state.orders.set(orderId, { holding: holding(key), cancelled });
  }
  for (const [approvalId, key, quota, used, revoked] of snapshot.approvals) {
    state.approvals.set(approvalId, { holding: holding(key), quota, used, revoked });
  }
  return state;
}
