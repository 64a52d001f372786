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
import { addOnce, compareText, insertSorted, sortedEntries, withMember } from './support.js';

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

type License = {
  licenseId: string;
  sku: string;
  validUntil: string | null;
  /** Date.parse(validUntil); Infinity without one; NaN for an unreadable one (never active, as in the domain). */
  expiresAt: number;
  revoked: boolean;
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
  firmsApproved: readonly string[];
  firmsWaiting: readonly string[];
};

type Expiry = { at: number; licenseId: string };

export type BacklogState = {
  holdings: HoldingsState;
  skus: Map<string, SkuLedger>;
  licenses: Map<string, License>;
  contributions: Map<string, Contribution>;
  /** The latest recordedAt applied (epoch ms), null before any. */
  now: number | null;
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
    now: null,
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
    ledger.firmsApproved = withMember(ledger.firmsApproved, holding.firmId, after.approved);
  }
  if (after.waiting !== (before?.waiting ?? false)) {
    ledger.firmsWaiting = withMember(ledger.firmsWaiting, holding.firmId, after.waiting);
  }
  state.contributions.set(holding.key, after);
}

function isActive(license: License, now: number | null): boolean {
  return !license.revoked && (now ?? Number.NEGATIVE_INFINITY) < license.expiresAt;
}

function pushExpiry(heap: Expiry[], expiry: Expiry): void {
  heap.push(expiry);
  let at = heap.length - 1;
  while (at > 0) {
    const parent = (at - 1) >>> 1;
    if (!before(expiry, heap[parent] as Expiry)) break;
    heap[at] = heap[parent] as Expiry;
    at = parent;
  }
  heap[at] = expiry;
}

function popExpiry(heap: Expiry[]): Expiry | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (top === undefined || last === undefined || heap.length === 0) return top;
  let at = 0;
  for (;;) {
    const left = 2 * at + 1;
    if (left >= heap.length) break;
    const right = left + 1;
    const child = right < heap.length && before(heap[right] as Expiry, heap[left] as Expiry) ? right : left;
    if (!before(heap[child] as Expiry, last)) break;
    heap[at] = heap[child] as Expiry;
    at = child;
  }
  heap[at] = last;
  return top;
}

function before(a: Expiry, b: Expiry): boolean {
  return a.at < b.at || (a.at === b.at && a.licenseId < b.licenseId);
}

/** Moves the clock to `recordedAt` (never back) and adds the skus whose license it expired. */
function advanceClock(state: BacklogState, recordedAt: string, keys: string[]): void {
  const time = Date.parse(recordedAt);
  if (!Number.isFinite(time) || (state.now !== null && time <= state.now)) return;
  state.now = time;
  while (state.expiries.length > 0 && (state.expiries[0] as Expiry).at <= time) {
    const expired = state.licenses.get((popExpiry(state.expiries) as Expiry).licenseId);
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
      const license = grant(state, licenseId, sku, validUntil ?? null, false);
      if (Number.isFinite(license.expiresAt) && isActive(license, state.now)) {
        pushExpiry(state.expiries, { at: license.expiresAt, licenseId });
      }
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

function grant(
  state: BacklogState,
  licenseId: string,
  sku: string,
  validUntil: string | null,
  revoked: boolean,
): License {
  const expiresAt = validUntil === null ? Number.POSITIVE_INFINITY : Date.parse(validUntil);
  const license: License = { licenseId, sku, validUntil, expiresAt, revoked };
  state.licenses.set(licenseId, license);
  skuLedger(state, sku).licenses.push(license);
  return license;
}

function rowOf(state: BacklogState, sku: string, ledger: SkuLedger): BacklogRow {
  const { totals } = ledger;
  const active = ledger.licenses.filter((license) => isActive(license, state.now));
  const lasting = active.reduce<License | undefined>(
    (latest, license) => (latest === undefined || license.expiresAt > latest.expiresAt ? license : latest),
    undefined,
  );
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
    licenseActive: active.length > 0,
    licenseValidUntil: lasting?.validUntil ?? null,
    firmsApproved: ledger.firmsApproved as string[],
    firmsWaiting: ledger.firmsWaiting as string[],
  };
}

type SkuTuple = [string, boolean, number];
type LicenseTuple = [string, string, string | null, boolean];
type BacklogSnapshot = {
  holdings: JsonValue;
  skus: SkuTuple[];
  licenses: LicenseTuple[];
  now: number | null;
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
    now: state.now,
  };
  return json;
}

function restore(json: JsonValue): BacklogState {
  const saved = json as unknown as BacklogSnapshot;
  const state = initial();
  state.holdings = restoreHoldings(saved.holdings);
  state.now = saved.now;
  for (const [sku, listed, supplied] of saved.skus) {
    const ledger = skuLedger(state, sku);
    ledger.listed = listed;
    ledger.supplied = supplied;
  }
  for (const [licenseId, sku, validUntil, revoked] of saved.licenses) {
    const license = grant(state, licenseId, sku, validUntil, revoked);
    if (Number.isFinite(license.expiresAt) && isActive(license, state.now)) {
      pushExpiry(state.expiries, { at: license.expiresAt, licenseId });
    }
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
