import type { QuotaDraw } from '../events.js';

/** One approval of one firm for one sku, as a product sees it. */
export type ApprovalQuota = {
  approvalId: string;
  firmId: string;
  quota: number;
  /** Drawn by shipments so far. */
  used: number;
  revoked: boolean;
};

export function unusedQuota(approval: ApprovalQuota): number {
  return approval.quota - approval.used;
}

/** The firm's approvals that can still be drawn from, in the order given (oldest first). */
export function activeApprovalsOf(approvals: readonly ApprovalQuota[], firmId: string): ApprovalQuota[] {
  return approvals.filter((approval) => approval.firmId === firmId && !approval.revoked);
}

export function remainingQuota(approvals: readonly ApprovalQuota[]): number {
  return approvals.reduce((sum, approval) => sum + unusedQuota(approval), 0);
}

/**
 * Takes `quantity` from the approvals in the order given, each down to zero before the next;
 * undefined when together they do not cover it.
 */
export function drawQuota(approvals: readonly ApprovalQuota[], quantity: number): QuotaDraw[] | undefined {
  const draws: QuotaDraw[] = [];
  let rest = quantity;
  for (const approval of approvals) {
    if (rest === 0) break;
    const taken = Math.min(rest, unusedQuota(approval));
    if (taken > 0) {
      draws.push({ approvalId: approval.approvalId, quantity: taken });
      rest -= taken;
    }
  }
  return rest === 0 ? draws : undefined;
}
