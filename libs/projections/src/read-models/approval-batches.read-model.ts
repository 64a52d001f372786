import type { JsonValue } from '@ledger/event-store';
import type { ReadModel } from '../read-model.js';
import { addOnce, compareText, insertSorted, sortedEntries } from './support.js';

/** One approval of a batch, as the batch row lists it. */
export type BatchApproval = {
  approvalId: string;
  firmId: string;
  sku: string;
  /** As granted. */
  quota: number;
  /** Drawn by shipments (ShipmentReleased.drawnFrom). */
  used: number;
  /** quota − used while active; 0 once revoked (the rest was voided). */
  remaining: number;
  status: 'active' | 'revoked';
};

/**
 * A row per batch. Totals are over all of its approvals, revoked ones included:
 * quota (as granted) = used + remaining + voided.
 */
export type ApprovalBatchRow = {
  batchId: string;
  /** Sorted by approvalId. */
  approvals: BatchApproval[];
  /** The firms the batch approved (revoked approvals included), sorted. */
  firms: string[];
  quota: number;
  used: number;
  remaining: number;
  /** The voidedQuota of the batch's revoked approvals. */
  voided: number;
};

type Approval = {
  batchId: string;
  firmId: string;
  sku: string;
  quota: number;
  used: number;
  voided: number;
  revoked: boolean;
};

type Batch = { approvalIds: string[]; firms: string[] };

export type ApprovalBatchesState = {
  approvals: Map<string, Approval>;
  batches: Map<string, Batch>;
};

function initial(): ApprovalBatchesState {
  return { approvals: new Map(), batches: new Map() };
}

function file(state: ApprovalBatchesState, approvalId: string, approval: Approval): void {
  state.approvals.set(approvalId, approval);
  let batch = state.batches.get(approval.batchId);
  if (!batch) {
    batch = { approvalIds: [], firms: [] };
    state.batches.set(approval.batchId, batch);
  }
  insertSorted(batch.approvalIds, approvalId);
  insertSorted(batch.firms, approval.firmId);
}

function rowOf(state: ApprovalBatchesState, batchId: string, batch: Batch): ApprovalBatchRow {
  const row: ApprovalBatchRow = {
    batchId,
    approvals: [],
    firms: batch.firms.slice(),
    quota: 0,
    used: 0,
    remaining: 0,
    voided: 0,
  };
  for (const approvalId of batch.approvalIds) {
    const approval = state.approvals.get(approvalId) as Approval;
    const remaining = approval.revoked ? 0 : approval.quota - approval.used;
    row.approvals.push({
      approvalId,
      firmId: approval.firmId,
      sku: approval.sku,
      quota: approval.quota,
      used: approval.used,
      remaining,
      status: approval.revoked ? 'revoked' : 'active',
    });
    row.quota += approval.quota;
    row.used += approval.used;
    row.remaining += remaining;
    row.voided += approval.voided;
  }
  return row;
}

type ApprovalTuple = [string, string, string, string, number, number, number, boolean];

export const approvalBatchesReadModel: ReadModel<ApprovalBatchesState, ApprovalBatchRow> = {
  name: 'approval-batches',
  version: 1,
  table: 'proj_approval_batches',
  columns: [
    { field: 'batchId', type: 'text' },
    { field: 'approvals', type: 'jsonb' },
    { field: 'firms', type: 'jsonb' },
    { field: 'quota', type: 'bigint' },
    { field: 'used', type: 'bigint' },
    { field: 'remaining', type: 'bigint' },
    { field: 'voided', type: 'bigint' },
  ],
  key: ['batchId'],
  filters: [],

  initial,

  /** Unknown or repeated approval ids are ignored (see holdings.ts for why). */
  evolve(state, { event }) {
    switch (event.type) {
      case 'ApprovalGranted': {
        const { approvalId, batchId, firmId, sku, quota } = event.data;
        if (state.approvals.has(approvalId)) return [];
        file(state, approvalId, { batchId, firmId, sku, quota, used: 0, voided: 0, revoked: false });
        return [batchId];
      }
      case 'ApprovalRevoked': {
        const approval = state.approvals.get(event.data.approvalId);
        if (!approval || approval.revoked) return [];
        approval.revoked = true;
        approval.voided = event.data.voidedQuota;
        return [approval.batchId];
      }
      case 'ShipmentReleased': {
        const batchIds: string[] = [];
        for (const draw of event.data.drawnFrom) {
          const approval = state.approvals.get(draw.approvalId);
          if (!approval) continue;
          approval.used += draw.quantity;
          addOnce(batchIds, approval.batchId);
        }
        return batchIds;
      }
      default:
        return [];
    }
  },

  row(state, batchId) {
    const batch = state.batches.get(batchId);
    return batch && rowOf(state, batchId, batch);
  },

  rows(state) {
    return [...state.batches.keys()]
      .sort(compareText)
      .map((batchId) => rowOf(state, batchId, state.batches.get(batchId) as Batch));
  },

  rowKey: (row) => row.batchId,

  snapshot(state): JsonValue {
    return {
      approvals: sortedEntries(state.approvals, (approvalId, a): ApprovalTuple => [
        approvalId,
        a.batchId,
        a.firmId,
        a.sku,
        a.quota,
        a.used,
        a.voided,
        a.revoked,
      ]),
    };
  },

  restore(json) {
    const state = initial();
    const { approvals } = json as unknown as { approvals: ApprovalTuple[] };
    for (const [approvalId, batchId, firmId, sku, quota, used, voided, revoked] of approvals) {
      file(state, approvalId, { batchId, firmId, sku, quota, used, voided, revoked });
    }
    return state;
  },
};
