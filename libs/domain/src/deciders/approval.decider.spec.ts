import { given, type History } from '../testing/decider-spec.js';
import {
  approvalGranted,
  approvalRevoked,
  firmRegistered,
  productRegistered,
  shipmentReleased,
} from '../testing/event-builders.js';
import { decideGrantApproval, decideRevokeApproval } from './approval.decider.js';

const registered = [
  firmRegistered('bytedance'),
  firmRegistered('alibaba'),
  productRegistered('H200', 'foreign'),
  productRegistered('ASCEND-910C', 'domestic'),
];
const granted = approvalGranted({ approvalId: 'a-1', firmId: 'bytedance', sku: 'H200', quota: 1_000 });
const shipped = (quantity: number, drawnFrom = [{ approvalId: 'a-1', quantity }]) =>
  shipmentReleased({
    shipmentId: `s-${quantity}`,
    orderId: 'o-1',
    firmId: 'bytedance',
    sku: 'H200',
    quantity,
    drawnFrom,
  });

describe('GrantApproval', () => {
  const grant =
    (approvalId: string, firmId: string, sku: string, quota = 1_000) =>
    (history: History) =>
      decideGrantApproval(
        { type: 'GrantApproval', data: { approvalId, batchId: 'batch-1', firmId, sku, quota } },
        history.approval(approvalId),
        history.firm(firmId),
        history.product(sku),
      );

  describe('when the firm and the foreign product are registered', () => {
    it('grants the approval', () => {
      given(...registered)
        .when(grant('a-1', 'bytedance', 'H200'))
        .then(granted);
    });
  });

  describe('when the approval id is taken, even by another firm', () => {
    it('refuses with APPROVAL_ALREADY_EXISTS', () => {
      given(...registered, granted)
        .when(grant('a-1', 'alibaba', 'H200'))
        .thenThrows('APPROVAL_ALREADY_EXISTS');
    });
  });

  describe('when the firm is unknown', () => {
    it('refuses with FIRM_NOT_FOUND', () => {
      given(...registered)
        .when(grant('a-1', 'tencent', 'H200'))
        .thenThrows('FIRM_NOT_FOUND');
    });
  });

  describe('when the product is unknown', () => {
    it('refuses with PRODUCT_NOT_FOUND', () => {
      given(...registered)
        .when(grant('a-1', 'bytedance', 'H20'))
        .thenThrows('PRODUCT_NOT_FOUND');
    });
  });

  describe('when the product is domestic', () => {
    it('refuses with ORIGIN_MISMATCH', () => {
      given(...registered)
        .when(grant('a-1', 'bytedance', 'ASCEND-910C'))
        .thenThrows('ORIGIN_MISMATCH');
    });
  });

  describe('when the quota is 0', () => {
    it('refuses with INVALID_INPUT', () => {
      given(...registered)
        .when(grant('a-1', 'bytedance', 'H200', 0))
        .thenThrows('INVALID_INPUT');
    });
  });
});

describe('RevokeApproval', () => {
  // Handlers find the product through the approval's registry stream, as here.
  const revoke = (approvalId: string) => (history: History) => {
    const approval = history.approval(approvalId);
    return decideRevokeApproval(
      { type: 'RevokeApproval', data: { approvalId, reason: 'quota withdrawn' } },
      approval,
      history.product(approval.status === 'none' ? 'H200' : approval.sku),
    );
  };
  const revoked = (voidedQuota: number) =>
    approvalRevoked({ approvalId: 'a-1', firmId: 'bytedance', sku: 'H200', voidedQuota });

  describe('when nothing was drawn from the approval', () => {
    it('revokes it, voiding the whole quota', () => {
      given(...registered, granted)
        .when(revoke('a-1'))
        .then(revoked(1_000));
    });
  });

  describe('when shipments drew 600 of its 1,000', () => {
    it('voids the unused 400', () => {
      given(...registered, granted, shipped(100), shipped(500))
        .when(revoke('a-1'))
        .then(revoked(400));
    });
  });

  describe('when shipments drew all of it', () => {
    it('voids nothing', () => {
      given(...registered, granted, shipped(1_000))
        .when(revoke('a-1'))
        .then(revoked(0));
    });
  });

  describe('when shipments drew from another approval of the firm', () => {
    it('voids the whole quota of this one', () => {
      const newer = approvalGranted({ approvalId: 'a-2', firmId: 'bytedance', sku: 'H200', quota: 500 });
      given(...registered, granted, newer, shipped(300, [{ approvalId: 'a-2', quantity: 300 }]))
        .when(revoke('a-1'))
        .then(revoked(1_000));
    });
  });

  describe('when the approval is revoked', () => {
    it('refuses with APPROVAL_ALREADY_REVOKED', () => {
      given(...registered, granted, revoked(1_000))
        .when(revoke('a-1'))
        .thenThrows('APPROVAL_ALREADY_REVOKED');
    });
  });

  describe('when the approval does not exist', () => {
    it('refuses with APPROVAL_NOT_FOUND', () => {
      given(...registered)
        .when(revoke('a-1'))
        .thenThrows('APPROVAL_NOT_FOUND');
    });
  });
});
