import {
  approvalGranted,
  approvalRevoked,
  orderPlaced,
  productRegistered,
  shipmentReleased,
} from '../../../domain/src/testing/event-builders.js';
import { approvalBatchesReadModel as batches } from './approval-batches.read-model.js';
import { given } from './testing/read-model-spec.js';

const approval = (approvalId: string, batchId: string, firmId: string, quota: number, sku = 'H200') =>
  approvalGranted({ approvalId, batchId, firmId, sku, quota });
const history = [
  productRegistered('H200', 'foreign'),
  orderPlaced({ orderId: 'o-1', firmId: 'bytedance', sku: 'H200', quantity: 1_000 }),
];

describe('the approval batches read model', () => {
  describe('when approvals are granted', () => {
    it('lists each batch’s approvals by id, its firms once each, and its quota', () => {
      given(batches, ...history)
        .when(
          approval('a-2', 'batch-1', 'tencent', 110),
          approval('a-1', 'batch-1', 'bytedance', 180),
          approval('a-3', 'batch-1', 'bytedance', 20, 'H20'),
          approval('b-1', 'batch-2', 'baidu', 50),
        )
        .thenRows([
          {
            batchId: 'batch-1',
            approvals: [
              {
                approvalId: 'a-1',
                firmId: 'bytedance',
                sku: 'H200',
                quota: 180,
                used: 0,
                remaining: 180,
                status: 'active',
              },
              {
                approvalId: 'a-2',
                firmId: 'tencent',
                sku: 'H200',
                quota: 110,
                used: 0,
                remaining: 110,
                status: 'active',
              },
              {
                approvalId: 'a-3',
                firmId: 'bytedance',
                sku: 'H20',
                quota: 20,
                used: 0,
                remaining: 20,
                status: 'active',
              },
            ],
            firms: ['bytedance', 'tencent'],
            quota: 310,
            used: 0,
            remaining: 310,
            voided: 0,
          },
          {
            batchId: 'batch-2',
            approvals: [
              {
                approvalId: 'b-1',
                firmId: 'baidu',
                sku: 'H200',
                quota: 50,
                used: 0,
                remaining: 50,
                status: 'active',
              },
            ],
            firms: ['baidu'],
            quota: 50,
            used: 0,
            remaining: 50,
            voided: 0,
          },
        ])
        .thenKeys(['batch-1', 'batch-2']);
    });
  });

  describe('when a shipment draws from approvals of two batches', () => {
    it('counts what it drew as used in each, and returns both', () => {
      given(
        batches,
        ...history,
        approval('a-1', 'batch-1', 'bytedance', 100),
        approval('b-1', 'batch-2', 'bytedance', 300),
      )
        .when(
          shipmentReleased({
            shipmentId: 's-1',
            orderId: 'o-1',
            firmId: 'bytedance',
            sku: 'H200',
            quantity: 160,
            drawnFrom: [
              { approvalId: 'a-1', quantity: 100 },
              { approvalId: 'b-1', quantity: 60 },
            ],
          }),
        )
        .thenRow('batch-1', { used: 100, remaining: 0 })
        .thenRow('batch-2', { used: 60, remaining: 240, quota: 300 })
        .thenKeys(['batch-1', 'batch-2']);
    });

    it('ignores a draw from an approval it does not know', () => {
      given(batches, ...history, approval('a-1', 'batch-1', 'bytedance', 100))
        .when(
          shipmentReleased({
            shipmentId: 's-1',
            orderId: 'o-1',
            firmId: 'bytedance',
            sku: 'H200',
            quantity: 5,
            drawnFrom: [{ approvalId: 'nope', quantity: 5 }],
          }),
        )
        .thenNothingChanges();
    });
  });

  describe('when an approval is revoked', () => {
    const drawn = shipmentReleased({
      shipmentId: 's-1',
      orderId: 'o-1',
      firmId: 'bytedance',
      sku: 'H200',
      quantity: 30,
      drawnFrom: [{ approvalId: 'a-1', quantity: 30 }],
    });
    const revoked = approvalRevoked({ approvalId: 'a-1', firmId: 'bytedance', sku: 'H200', voidedQuota: 70 });

    it('marks it revoked with nothing remaining, and counts its voidedQuota; the batch keeps its firm', () => {
      given(
        batches,
        ...history,
        approval('a-1', 'batch-1', 'bytedance', 100),
        approval('a-2', 'batch-1', 'alibaba', 50),
        drawn,
      )
        .when(revoked)
        .thenRow('batch-1', {
          approvals: [
            {
              approvalId: 'a-1',
              firmId: 'bytedance',
              sku: 'H200',
              quota: 100,
              used: 30,
              remaining: 0,
              status: 'revoked',
            },
            {
              approvalId: 'a-2',
              firmId: 'alibaba',
              sku: 'H200',
              quota: 50,
              used: 0,
              remaining: 50,
              status: 'active',
            },
          ],
          firms: ['alibaba', 'bytedance'],
          quota: 150,
          used: 30,
          remaining: 50,
          voided: 70,
        });
    });

    it('ignores a second revocation, and one of an approval it does not know', () => {
      given(batches, ...history, approval('a-1', 'batch-1', 'bytedance', 100), drawn, revoked)
        .when(revoked, approvalRevoked({ approvalId: 'nope', firmId: 'x', sku: 'H200', voidedQuota: 1 }))
        .thenNothingChanges();
    });

    it('ignores an approval id granted twice', () => {
      given(batches, ...history, approval('a-1', 'batch-1', 'bytedance', 100))
        .when(approval('a-1', 'batch-2', 'tencent', 999))
        .thenNothingChanges();
    });
  });
});
