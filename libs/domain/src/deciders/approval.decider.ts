import type { GrantApproval, RevokeApproval } from '../commands.js';
import { assertValidCommand } from '../command-validation.js';
import { DomainError } from '../errors.js';
import type { EventOf, LedgerEvent } from '../events.js';
import { unusedQuota } from '../rules/quota.rule.js';
import { requireFirm, type FirmState } from './firm.decider.js';
import { requireOrigin, requireProduct, type ProductState } from './product.decider.js';

/** The approval-{id} registry: finds an approval's firm and sku from its id alone. */
export type ApprovalState = { status: 'none' } | GrantedApproval;

export type GrantedApproval = {
  status: 'granted' | 'revoked';
  approvalId: string;
  batchId: string;
  firmId: string;
  sku: string;
  quota: number;
};

export const initialApprovalState: ApprovalState = { status: 'none' };

export function evolveApproval(state: ApprovalState, event: LedgerEvent): ApprovalState {
  switch (event.type) {
    case 'ApprovalGranted': {
      const { approvalId, batchId, firmId, sku, quota } = event.data;
      return { status: 'granted', approvalId, batchId, firmId, sku, quota };
    }
    case 'ApprovalRevoked':
      return state.status === 'none' ? state : { ...state, status: 'revoked' };
    default:
      return state;
  }
}

export function decideGrantApproval(
  command: GrantApproval,
  approval: ApprovalState,
  firm: FirmState,
  product: ProductState,
): EventOf<'ApprovalGranted'> {
  assertValidCommand(command);
  const { approvalId, batchId, firmId, sku, quota } = command.data;
  if (approval.status !== 'none') {
    throw new DomainError('APPROVAL_ALREADY_EXISTS', `approval ${approvalId} already exists`);
  }
  requireFirm(firm, firmId);
  requireOrigin(requireProduct(product, sku), 'foreign');
  return { type: 'ApprovalGranted', data: { approvalId, batchId, firmId, sku, quota } };
}

/** `product` is the state of the approval's sku, which holds how much of its quota shipments drew. */
export function decideRevokeApproval(
  command: RevokeApproval,
  approval: ApprovalState,
  product: ProductState,
): EventOf<'ApprovalRevoked'> {
  assertValidCommand(command);
  const { approvalId, reason } = command.data;
  if (approval.status === 'none')
    throw new DomainError('APPROVAL_NOT_FOUND', `approval ${approvalId} does not exist`);
  if (approval.status === 'revoked') {
    throw new DomainError('APPROVAL_ALREADY_REVOKED', `approval ${approvalId} is already revoked`);
  }
  const { firmId, sku } = approval;
  const quota = requireProduct(product, sku).approvals.find((granted) => granted.approvalId === approvalId);
  if (!quota) throw new Error(`product ${sku} holds no approval ${approvalId}`);
  return {
    type: 'ApprovalRevoked',
    data: { approvalId, firmId, sku, reason, voidedQuota: unusedQuota(quota) },
  };
}
