import type { JsonValue } from '@ledger/event-store';
import type { ProjectedEvent, ReadModel } from '../read-model.js';
import {
  backlogOf,
  evolveHoldings,
  initialHoldings,
  restoreHoldings,
  snapshotHoldings,
  type Holding,
  type HoldingsState,
} from './holdings.js';
import {
  canonicalInstant,
  expiryOf,
  isActive,
  lastingValidUntil,
  popDue,
  pushExpiry,
  type Expiry,
  type License,
} from './licenses.js';
import { addOnce, compareText, insertSorted, removeSorted, sortedEntries } from './support.js';

/**
 * The backlog of one foreign sku (a row per foreign product registered), and with `backlogTotal` of all.
 *
 * `awaitingApproval` is the backlog of the firms with no active approval for the sku (the seed's "ordered
 * by firms without approval"); `unapprovedBacklog` is wider: the backlog that no remaining quota covers,
 * of every firm. Without cancellations or revocations, and no firm approved beyond its orders,
 * ordered = approvedQuota + unapprovedBacklog.
 *
 * Licenses have no clock but the ledger's: a license is active when it is granted, not revoked, and the
 * latest recordedAt applied so far is before its validUntil (expiry at the instant itself, as the
 * domain's isLicenseActive). recordedAt is taken as a high-water mark, so an expired license never comes
 * back. The event that moves the clock past a validUntil returns the sku's key.
 */
export type BacklogRow = {
  sku: string;
  ordered: number;
  shipped: number;
  cancelled: number;
  /** ordered − cancelled − shipped. */
  backlog: number;
  /** Quota granted for the sku minus the quota voided by revocations (as the allocations' approvedQuota). */
  approvedQuota: number;
  /** Undrawn quota of active approvals. */
  approvedRemaining: number;
  /** Backlog not covered by remaining quota, summed per firm: Σ max(0, backlog − remainingQuota). */
  unapprovedBacklog: number;
  /** Backlog of the firms that hold no active approval for the sku. */
  awaitingApproval: number;
  /** Supply recorded − units released by shipments. */
  supplyAvailable: number;
  importsBlocked: boolean;
  /** An export license granted, not revoked, and not expired at the latest recordedAt. */
  licenseActive: boolean;
  /** The latest validUntil among active licenses; null when none is active or an active one never expires. */
  licenseValidUntil: string | null;
  /** Firms with an active approval, sorted. */
  firmsApproved: string[];
  /** Firms with a backlog and no active approval, sorted. */
  firmsWaiting: string[];
};

/** What one holding adds to its sku's row. */
type Contribution = {
  ordered: number;
  cancelled: number;
  shipped: number;
  approvedQuota: number;
  remaining: number;
  unapproved: number;
  awaiting: number;
  approved: boolean;
  waiting: boolean;
};

type SkuLedger = {
  /** Registered as a foreign product: the sku has a row. */
  listed: boolean;
  supplied: number;
  licenses: License[];
  totals: Omit<Contribution, 'approved' | 'waiting'>;
  firmsApproved: string[];
  firmsWaiting: string[];
};

export type BacklogState = {
  holdings: HoldingsState;
  skus: Map<string, SkuLedger>;
  licenses: Map<string, License>;
  contributions: Map<string, Contribution>;
  /** The latest recordedAt applied, as a canonical instant; null before any. */
  clock: string | null;
  /** A min-heap of the validUntil of licenses not yet expired. */
  expiries: Expiry[];
};

const ZERO = {
  ordered: 0,
  cancelled: 0,
  shipped: 0,
  approvedQuota: 0,
  remaining: 0,
  unapproved: 0,
  awaiting: 0,
} as const;

function initial(): BacklogState {
  return {
    holdings: initialHoldings(),
    skus: new Map(),
    licenses: new Map(),
    contributions: new Map(),
    clock: null,
    expiries: [],
  };
}

function skuLedger(state: BacklogState, sku: string): SkuLedger {
  let ledger = state.skus.get(sku);
  if (!ledger) {
    ledger = {
      listed: false,
      supplied: 0,
      licenses: [],
      totals: { ...ZERO },
      firmsApproved: [],
      firmsWaiting: [],
    };
    state.skus.set(sku, ledger);
  }
  return ledger;
}

function contributionOf(holding: Holding): Contribution {
  const backlog = backlogOf(holding);
  const approved = holding.activeApprovals > 0;
  return {
    ordered: holding.ordered,
    cancelled: holding.cancelled,
    shipped: holding.shipped,
    approvedQuota: holding.approvedQuota,
    remaining: holding.remainingQuota,
    unapproved: Math.max(0, backlog - holding.remainingQuota),
    awaiting: approved ? 0 : backlog,
    approved,
    waiting: !approved && backlog > 0,
  };
}

/** Replaces what a holding adds to its sku's totals and firm lists by what it adds now. */
function recount(state: BacklogState, holding: Holding): void {
  const ledger = skuLedger(state, holding.sku);
  const before = state.contributions.get(holding.key);
  const after = contributionOf(holding);
  const totals = ledger.totals;
  totals.ordered += after.ordered - (before?.ordered ?? 0);
  totals.cancelled += after.cancelled - (before?.cancelled ?? 0);
  totals.shipped += after.shipped - (before?.shipped ?? 0);
  totals.approvedQuota += after.approvedQuota - (before?.approvedQuota ?? 0);
  totals.remaining += after.remaining - (before?.remaining ?? 0);
  totals.unapproved += after.unapproved - (before?.unapproved ?? 0);
  totals.awaiting += after.awaiting - (before?.awaiting ?? 0);
  if (after.approved !== (before?.approved ?? false)) {
    (after.approved ? insertSorted : removeSorted)(ledger.firmsApproved, holding.firmId);
  }
  if (after.waiting !== (before?.waiting ?? false)) {
    (after.waiting ? insertSorted : removeSorted)(ledger.firmsWaiting, holding.firmId);
  }
  state.contributions.set(holding.key, after);
}

/** Moves the clock to `recordedAt` (never back) and adds the skus whose license it expired. */
function advanceClock(state: BacklogState, recordedAt: string, keys: string[]): void {
  const instant = canonicalInstant(recordedAt);
  if (instant === undefined || (state.clock !== null && instant <= state.clock)) return;
  state.clock = instant;
  for (let due = popDue(state.expiries, instant); due; due = popDue(state.expiries, instant)) {
    const expired = state.licenses.get(due.licenseId);
    if (expired && !expired.revoked) listedKey(state, expired.sku, keys);
  }
}

function listedKey(state: BacklogState, sku: string, keys: string[]): void {
  if (state.skus.get(sku)?.listed) addOnce(keys, sku);
}

function evolve(state: BacklogState, { event, recordedAt }: ProjectedEvent): string[] {
  const keys: string[] = [];
  advanceClock(state, recordedAt, keys);
  switch (event.type) {
    case 'ProductRegistered': {
      const ledger = skuLedger(state, event.data.sku);
      if (!ledger.listed && event.data.origin === 'foreign') {
        ledger.listed = true;
        addOnce(keys, event.data.sku);
      }
      break;
    }
    case 'OrderPlaced':
    case 'OrderCancelled':
    case 'ShipmentReleased':
    case 'ApprovalGranted':
    case 'ApprovalRevoked':
      for (const holding of evolveHoldings(state.holdings, event)) {
        recount(state, holding);
        listedKey(state, holding.sku, keys);
      }
      break;
    case 'ImportsBlocked':
    case 'ImportsUnblocked':
      evolveHoldings(state.holdings, event);
      listedKey(state, event.data.sku, keys);
      break;
    case 'SupplyRecorded':
      skuLedger(state, event.data.sku).supplied += event.data.quantity;
      listedKey(state, event.data.sku, keys);
      break;
    case 'ExportLicenseGranted': {
      const { licenseId, sku, validUntil } = event.data;
      if (state.licenses.has(licenseId)) break;
      grant(state, licenseId, sku, validUntil ?? null, false);
      listedKey(state, sku, keys);
      break;
    }
    case 'ExportLicenseRevoked': {
      const license = state.licenses.get(event.data.licenseId);
      if (!license || license.revoked) break;
      license.revoked = true;
      listedKey(state, license.sku, keys);
      break;
    }
    case 'PairingRatioSet':
    case 'DomesticPurchaseRecorded':
      // Nothing in a backlog row depends on them; the shared holdings still record them.
      evolveHoldings(state.holdings, event);
      break;
    case 'FirmRegistered':
    case 'ShipmentDelivered':
      break;
  }
  return keys;
}

/** Files a license; one that can still expire goes on the heap, so the clock passing it is noticed. */
function grant(
  state: BacklogState,
  licenseId: string,
  sku: string,
  validUntil: string | null,
  revoked: boolean,
) {
  const license: License = { licenseId, sku, validUntil, expires: expiryOf(validUntil), revoked };
  state.licenses.set(licenseId, license);
  skuLedger(state, sku).licenses.push(license);
  if (license.expires !== null && isActive(license, state.clock)) {
    pushExpiry(state.expiries, { at: license.expires, licenseId });
  }
}

function rowOf(state: BacklogState, sku: string, ledger: SkuLedger): BacklogRow {
  const { totals } = ledger;
  return {
    sku,
    ordered: totals.ordered,
    shipped: totals.shipped,
    cancelled: totals.cancelled,
    backlog: totals.ordered - totals.cancelled - totals.shipped,
    approvedQuota: totals.approvedQuota,
    approvedRemaining: totals.remaining,
    unapprovedBacklog: totals.unapproved,
    awaitingApproval: totals.awaiting,
    supplyAvailable: ledger.supplied - totals.shipped,
    importsBlocked: state.holdings.skus.get(sku)?.importsBlocked ?? false,
    licenseActive: ledger.licenses.some((license) => isActive(license, state.clock)),
    licenseValidUntil: lastingValidUntil(ledger.licenses, state.clock),
    firmsApproved: ledger.firmsApproved.slice(),
    firmsWaiting: ledger.firmsWaiting.slice(),
  };
}

type SkuTuple = [string, boolean, number];
type LicenseTuple = [string, string, string | null, boolean];
type BacklogSnapshot = {
  holdings: JsonValue;
  skus: SkuTuple[];
  licenses: LicenseTuple[];
  clock: string | null;
};

function snapshot(state: BacklogState): JsonValue {
  const json: BacklogSnapshot = {
    holdings: snapshotHoldings(state.holdings),
    skus: sortedEntries(state.skus, (sku, ledger): SkuTuple => [sku, ledger.listed, ledger.supplied]),
    licenses: sortedEntries(state.licenses, (licenseId, license): LicenseTuple => [
      licenseId,
      license.sku,
      license.validUntil,
      license.revoked,
    ]),
    clock: state.clock,
  };
  return json;
}

function restore(json: JsonValue): BacklogState {
  const saved = json as unknown as BacklogSnapshot;
  const state = initial();
  state.holdings = restoreHoldings(saved.holdings);
  state.clock = saved.clock;
  for (const [sku, listed, supplied] of saved.skus) {
    const ledger = skuLedger(state, sku);
    ledger.listed = listed;
    ledger.supplied = supplied;
  }
  for (const [licenseId, sku, validUntil, revoked] of saved.licenses) {
    grant(state, licenseId, sku, validUntil, revoked);
  }
  for (const holding of state.holdings.holdings.values()) recount(state, holding);
  return state;
}

export const backlogReadModel: ReadModel<BacklogState, BacklogRow> = {
  name: 'backlog',
  version: 1,
  table: 'proj_backlog',
  columns: [
    { field: 'sku', type: 'text' },
    { field: 'ordered', type: 'bigint' },
    { field: 'shipped', type: 'bigint' },
    { field: 'cancelled', type: 'bigint' },
    { field: 'backlog', type: 'bigint' },
    { field: 'approvedQuota', type: 'bigint' },
    { field: 'approvedRemaining', type: 'bigint' },
    { field: 'unapprovedBacklog', type: 'bigint' },
    { field: 'awaitingApproval', type: 'bigint' },
    { field: 'supplyAvailable', type: 'bigint' },
    { field: 'importsBlocked', type: 'boolean' },
    { field: 'licenseActive', type: 'boolean' },
    { field: 'licenseValidUntil', type: 'text', nullable: true },
    { field: 'firmsApproved', type: 'jsonb' },
    { field: 'firmsWaiting', type: 'jsonb' },
  ],
  key: ['sku'],
  filters: ['sku'],
  initial,
  evolve,
  row(state, sku) {
    const ledger = state.skus.get(sku);
    return ledger?.listed ? rowOf(state, sku, ledger) : undefined;
  },
  rows(state) {
    return [...state.skus.keys()].sort(compareText).flatMap((sku) => {
      const ledger = state.skus.get(sku) as SkuLedger;
      return ledger.listed ? [rowOf(state, sku, ledger)] : [];
    });
  },
  rowKey: (row) => row.sku,
  snapshot,
  restore,
};

/** The sku used for the total row. */
export const BACKLOG_TOTAL_SKU = '*';

/**
 * The total over per-sku rows: quantities summed; importsBlocked / licenseActive when any sku's is;
 * licenseValidUntil null (licenses are per sku); the firm lists are the sorted union (a firm approved
 * for one sku and waiting for another is in both).
 */
export function backlogTotal(rows: readonly BacklogRow[]): BacklogRow {
  const firmsApproved: string[] = [];
  const firmsWaiting: string[] = [];
  const total: BacklogRow = {
    sku: BACKLOG_TOTAL_SKU,
    ordered: 0,
    shipped: 0,
    cancelled: 0,
    backlog: 0,
    approvedQuota: 0,
    approvedRemaining: 0,
    unapprovedBacklog: 0,
    awaitingApproval: 0,
    supplyAvailable: 0,
    importsBlocked: false,
    licenseActive: false,
    licenseValidUntil: null,
    firmsApproved,
    firmsWaiting,
  };
  for (const row of rows) {
    total.ordered += row.ordered;
    total.shipped += row.shipped;
    total.cancelled += row.cancelled;
    total.backlog += row.backlog;
    total.approvedQuota += row.approvedQuota;
    total.approvedRemaining += row.approvedRemaining;
    total.unapprovedBacklog += row.unapprovedBacklog;
    total.awaitingApproval += row.awaitingApproval;
    total.supplyAvailable += row.supplyAvailable;
    total.importsBlocked ||= row.importsBlocked;
    total.licenseActive ||= row.licenseActive;
    for (const firmId of row.firmsApproved) insertSorted(firmsApproved, firmId);
    for (const firmId of row.firmsWaiting) insertSorted(firmsWaiting, firmId);
  }
  return total;
}
