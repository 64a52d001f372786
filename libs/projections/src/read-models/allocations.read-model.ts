import { domesticRequired } from '@ledger/domain';
import type { ReadModel } from '../read-model.js';
import {
  backlogOf,
  evolveHoldings,
  holdingKey,
  initialHoldings,
  restoreHoldings,
  snapshotHoldings,
  type Holding,
  type HoldingsState,
} from './holdings.js';
import { compareText } from './support.js';

/**
 * An allocation's status, the first that holds:
 * - `blocked`: imports of the sku are blocked (nothing can ship, whatever else holds);
 * - `fulfilled`: nothing left on order (backlog 0) and something was shipped;
 * - `awaiting-approval`: units on order, and no active approval;
 * - `quota-exhausted`: units on order, active approvals, and none of their quota left;
 * - `approved`: an active approval with quota left (covering some or all of the backlog, or granted
 *   ahead of any order);
 * - `closed`: nothing on order, nothing shipped, no active approval (every order cancelled before it
 *   shipped, or an approval revoked before anything was ordered).
 * License expiry is not part of it: it is a fact of the sku, shown by the backlog read model.
 */
export const ALLOCATION_STATUSES = [
  'blocked',
  'fulfilled',
  'awaiting-approval',
  'quota-exhausted',
  'approved',
  'closed',
] as const;
export type AllocationStatus = (typeof ALLOCATION_STATUSES)[number];

/** One firm's position in one foreign sku: a row per firm x sku with any order or approval. */
export type AllocationRow = {
  firmId: string;
  sku: string;
  ordered: number;
  cancelled: number;
  shipped: number;
  /** ordered − cancelled − shipped. */
  backlog: number;
  /** Quota granted minus the quota voided by revocations: = quota drawn + remainingQuota. */
  approvedQuota: number;
  /** Undrawn quota of the firm's active approvals for the sku. */
  remainingQuota: number;
  /** The backlog that remaining quota does not cover: max(0, backlog − remainingQuota). */
  unapprovedBacklog: number;
  /** Domestic units the firm bought, of every domestic sku: what the pairing rule counts. */
  domesticPurchased: number;
  /** The domestic units the units shipped require at the sku's current pairing ratio. */
  domesticRequired: number;
  status: AllocationStatus;
};

export type AllocationsState = HoldingsState;

export function allocationStatus(holding: Holding, importsBlocked: boolean): AllocationStatus {
  const backlog = backlogOf(holding);
  if (importsBlocked) return 'blocked';
  if (backlog <= 0 && holding.shipped > 0) return 'fulfilled';
  if (backlog > 0 && holding.activeApprovals === 0) return 'awaiting-approval';
  if (backlog > 0 && holding.remainingQuota <= 0) return 'quota-exhausted';
  if (holding.activeApprovals > 0) return 'approved';
  return 'closed';
}

function rowOf(state: AllocationsState, holding: Holding): AllocationRow {
  const controls = state.skus.get(holding.sku);
  const domesticPerUnit = controls?.domesticPerUnit ?? 0;
  const backlog = backlogOf(holding);
  return {
    firmId: holding.firmId,
    sku: holding.sku,
    ordered: holding.ordered,
    cancelled: holding.cancelled,
    shipped: holding.shipped,
    backlog,
    approvedQuota: holding.approvedQuota,
    remainingQuota: holding.remainingQuota,
    unapprovedBacklog: Math.max(0, backlog - holding.remainingQuota),
    domesticPurchased: state.firms.get(holding.firmId)?.domesticPurchased ?? 0,
    domesticRequired: domesticPerUnit === 0 ? 0 : domesticRequired(domesticPerUnit, holding.shipped),
    status: allocationStatus(holding, controls?.importsBlocked ?? false),
  };
}

function compareRows(a: AllocationRow, b: AllocationRow): number {
  return compareText(a.firmId, b.firmId) || compareText(a.sku, b.sku);
}

export const allocationsReadModel: ReadModel<AllocationsState, AllocationRow> = {
  name: 'allocations',
  version: 1,
  table: 'proj_allocations',
  columns: [
    { field: 'firmId', type: 'text' },
    { field: 'sku', type: 'text' },
    { field: 'ordered', type: 'bigint' },
    { field: 'cancelled', type: 'bigint' },
    { field: 'shipped', type: 'bigint' },
    { field: 'backlog', type: 'bigint' },
    { field: 'approvedQuota', type: 'bigint' },
    { field: 'remainingQuota', type: 'bigint' },
    { field: 'unapprovedBacklog', type: 'bigint' },
    { field: 'domesticPurchased', type: 'bigint' },
    { field: 'domesticRequired', type: 'bigint' },
    { field: 'status', type: 'text' },
  ],
  key: ['firmId', 'sku'],
  filters: ['firmId', 'sku'],

  initial: initialHoldings,

  evolve(state, { event }) {
    return evolveHoldings(state, event).map((holding) => holding.key);
  },

  row(state, rowKey) {
    const holding = state.holdings.get(rowKey);
    return holding && rowOf(state, holding);
  },

  rows(state) {
    return [...state.holdings.values()].map((holding) => rowOf(state, holding)).sort(compareRows);
  },

  rowKey: (row) => holdingKey(row.firmId, row.sku),
  snapshot: snapshotHoldings,
  restore: restoreHoldings,
};
