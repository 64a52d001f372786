import {
  approvalGranted,
  approvalRevoked,
  domesticPurchaseRecorded,
  importsBlocked,
  importsUnblocked,
  orderCancelled,
  orderPlaced,
  pairingRatioSet,
  productRegistered,
  shipmentReleased,
} from '../../../domain/src/testing/event-builders.js';
import { allocationsReadModel as allocations } from './allocations.read-model.js';
import { given } from './testing/read-model-spec.js';

const products = [productRegistered('H200', 'foreign'), productRegistered('ASCEND-910C', 'domestic')];
const order = (orderId: string, quantity: number, firmId = 'bytedance', sku = 'H200') =>
  orderPlaced({ orderId, firmId, sku, quantity });
const approval = (approvalId: string, quota: number, firmId = 'bytedance', sku = 'H200') =>
  approvalGranted({ approvalId, firmId, sku, quota });
const release = (
  shipmentId: string,
  orderId: string,
  drawnFrom: { approvalId: string; quantity: number }[],
  firmId = 'bytedance',
) =>
  shipmentReleased({
    shipmentId,
    orderId,
    firmId,
    sku: 'H200',
    quantity: drawnFrom.reduce((sum, draw) => sum + draw.quantity, 0),
    drawnFrom,
  });

describe('the allocations read model', () => {
  describe('when a firm orders', () => {
    it('counts the order as backlog awaiting approval', () => {
      given(allocations, ...products)
        .when(order('o-1', 600))
        .thenRow('bytedance/H200', {
          ordered: 600,
          cancelled: 0,
          shipped: 0,
          backlog: 600,
          approvedQuota: 0,
          remainingQuota: 0,
          unapprovedBacklog: 600,
          status: 'awaiting-approval',
        });
    });

    it('adds the firm’s orders of one sku together, and keeps other skus and firms apart', () => {
      given(allocations, ...products, productRegistered('H20', 'foreign'), order('o-1', 600))
        .when(order('o-2', 400), order('o-3', 50, 'bytedance', 'H20'), order('o-4', 70, 'alibaba'))
        .thenRow('bytedance/H200', { ordered: 1000, backlog: 1000 })
        .thenRow('bytedance/H20', { ordered: 50 })
        .thenRow('alibaba/H200', { ordered: 70 });
    });

    it('has no row for a firm that only bought domestic chips', () => {
      given(allocations, ...products)
        .when(
          domesticPurchaseRecorded({
            purchaseId: 'p-1',
            firmId: 'bytedance',
            sku: 'ASCEND-910C',
            quantity: 9,
          }),
        )
        .thenRows([]);
    });
  });

  describe('when an order is cancelled', () => {
    it('counts its cancelledQuantity out of the backlog', () => {
      given(allocations, ...products, order('o-1', 600), order('o-2', 100), approval('a-1', 1000))
        .when(release('s-1', 'o-1', [{ approvalId: 'a-1', quantity: 200 }]), orderCancelled('o-1', 400))
        .thenRow('bytedance/H200', { ordered: 700, cancelled: 400, shipped: 200, backlog: 100 });
    });

    it('is closed once every order is cancelled before anything shipped, with no approval', () => {
      given(allocations, ...products, order('o-1', 600))
        .when(orderCancelled('o-1', 600))
        .thenRow('bytedance/H200', { backlog: 0, unapprovedBacklog: 0, status: 'closed' });
    });
  });

  describe('when an approval is granted', () => {
    it('adds its quota to the approved and the remaining quota', () => {
      given(allocations, ...products, order('o-1', 600))
        .when(approval('a-1', 180), approval('a-2', 20))
        .thenRow('bytedance/H200', {
          approvedQuota: 200,
          remainingQuota: 200,
          unapprovedBacklog: 400,
          status: 'approved',
        });
    });

    it('makes a row for a firm approved before it ordered', () => {
      given(allocations, ...products)
        .when(approval('a-1', 180))
        .thenRow('bytedance/H200', { ordered: 0, backlog: 0, approvedQuota: 180, status: 'approved' });
    });

    it('leaves no unapproved backlog when the quota covers the orders', () => {
      given(allocations, ...products, order('o-1', 100))
        .when(approval('a-1', 180))
        .thenRow('bytedance/H200', { unapprovedBacklog: 0, remainingQuota: 180 });
    });
  });

  describe('when a shipment is released', () => {
    it('draws from each approval in drawnFrom', () => {
      given(allocations, ...products, order('o-1', 600), approval('a-1', 100), approval('a-2', 300))
        .when(
          release('s-1', 'o-1', [
            { approvalId: 'a-1', quantity: 100 },
            { approvalId: 'a-2', quantity: 50 },
          ]),
        )
        .thenRow('bytedance/H200', {
          shipped: 150,
          backlog: 450,
          approvedQuota: 400,
          remainingQuota: 250,
          unapprovedBacklog: 200,
          status: 'approved',
        });
    });

    it('is quota-exhausted when units are on order and the active quota is used up', () => {
      given(allocations, ...products, order('o-1', 600), approval('a-1', 100))
        .when(release('s-1', 'o-1', [{ approvalId: 'a-1', quantity: 100 }]))
        .thenRow('bytedance/H200', { backlog: 500, remainingQuota: 0, status: 'quota-exhausted' });
    });

    it('is fulfilled when nothing is left on order', () => {
      given(allocations, ...products, order('o-1', 100), approval('a-1', 300))
        .when(release('s-1', 'o-1', [{ approvalId: 'a-1', quantity: 100 }]))
        .thenRow('bytedance/H200', { backlog: 0, remainingQuota: 200, status: 'fulfilled' });
    });

    it('is fulfilled when the rest of a partly shipped order is cancelled', () => {
      given(allocations, ...products, order('o-1', 100), approval('a-1', 300))
        .when(release('s-1', 'o-1', [{ approvalId: 'a-1', quantity: 40 }]), orderCancelled('o-1', 60))
        .thenRow('bytedance/H200', { shipped: 40, cancelled: 60, backlog: 0, status: 'fulfilled' });
    });

    it('changes the row of the approval it drew from', () => {
      given(allocations, ...products, order('o-1', 100), approval('a-1', 300))
        .when(release('s-1', 'o-1', [{ approvalId: 'a-1', quantity: 60 }]))
        .thenRow('bytedance/H200', { remainingQuota: 240 });
    });
  });

  describe('when an approval is revoked', () => {
    const history = [...products, order('o-1', 600), approval('a-1', 100), approval('a-2', 300)];
    const drawn = release('s-1', 'o-1', [{ approvalId: 'a-1', quantity: 80 }]);

    it('takes its voidedQuota out of the approved quota and its rest out of the remaining quota', () => {
      given(allocations, ...history, drawn)
        .when(approvalRevoked({ approvalId: 'a-1', firmId: 'bytedance', sku: 'H200', voidedQuota: 20 }))
        .thenRow('bytedance/H200', { approvedQuota: 380, remainingQuota: 300, shipped: 80 });
    });

    it('awaits approval again when the last active approval is revoked', () => {
      given(allocations, ...history, drawn)
        .when(
          approvalRevoked({ approvalId: 'a-1', firmId: 'bytedance', sku: 'H200', voidedQuota: 20 }),
          approvalRevoked({ approvalId: 'a-2', firmId: 'bytedance', sku: 'H200', voidedQuota: 300 }),
        )
        .thenRow('bytedance/H200', {
          approvedQuota: 80,
          remainingQuota: 0,
          unapprovedBacklog: 520,
          status: 'awaiting-approval',
        });
    });

    it('is closed when an approval granted ahead of any order is revoked', () => {
      given(allocations, ...products, approval('a-1', 100))
        .when(approvalRevoked({ approvalId: 'a-1', firmId: 'bytedance', sku: 'H200', voidedQuota: 100 }))
        .thenRow('bytedance/H200', { approvedQuota: 0, status: 'closed' });
    });
  });

  describe('when imports of the sku are blocked', () => {
    const history = [...products, order('o-1', 100, 'bytedance'), order('o-2', 50, 'alibaba')];

    it('blocks every allocation of the sku, before any other status, and returns each of their keys', () => {
      given(
        allocations,
        ...history,
        approval('a-1', 100),
        release('s-1', 'o-1', [{ approvalId: 'a-1', quantity: 100 }]),
      )
        .when(importsBlocked('H200'))
        .thenRow('bytedance/H200', { status: 'blocked', backlog: 0 })
        .thenRow('alibaba/H200', { status: 'blocked' })
        .thenKeys(['alibaba/H200', 'bytedance/H200']);
    });

    it('gives the status back when the block is lifted', () => {
      given(allocations, ...history, importsBlocked('H200'))
        .when(importsUnblocked('H200'))
        .thenRow('bytedance/H200', { status: 'awaiting-approval' })
        .thenRow('alibaba/H200', { status: 'awaiting-approval' });
    });

    it('leaves the allocations of other skus alone', () => {
      given(allocations, ...history, productRegistered('H20', 'foreign'), order('o-3', 5, 'tencent', 'H20'))
        .when(importsBlocked('H20'))
        .thenRow('tencent/H20', { status: 'blocked' })
        .thenUntouchedRow('alibaba/H200', { status: 'awaiting-approval' })
        .thenKeys(['tencent/H20']);
    });
  });

  describe('the pairing rule', () => {
    const history = [...products, order('o-1', 100_000), approval('a-1', 100_000)];
    const purchase = (purchaseId: string, quantity: number, sku = 'ASCEND-910C') =>
      domesticPurchaseRecorded({ purchaseId, firmId: 'bytedance', sku, quantity });

    it('counts the firm’s domestic purchases of every domestic sku, on each of its rows', () => {
      given(
        allocations,
        ...history,
        productRegistered('H20', 'foreign'),
        order('o-2', 10, 'bytedance', 'H20'),
      )
        .when(purchase('p-1', 30_000), purchase('p-2', 5, 'KUNLUN-P800'))
        .thenRow('bytedance/H200', { domesticPurchased: 30_005 })
        .thenRow('bytedance/H20', { domesticPurchased: 30_005 });
    });

    it('requires nothing before a ratio is set', () => {
      given(allocations, ...history)
        .when(release('s-1', 'o-1', [{ approvalId: 'a-1', quantity: 80_000 }]))
        .thenRow('bytedance/H200', { domesticRequired: 0 });
    });

    it('requires the ratio times the units shipped, and returns every row of the sku when it is set', () => {
      given(
        allocations,
        ...history,
        order('o-2', 10, 'alibaba'),
        release('s-1', 'o-1', [{ approvalId: 'a-1', quantity: 80_000 }]),
      )
        .when(pairingRatioSet('H200', 0.2))
        .thenRow('bytedance/H200', { domesticRequired: 16_000 })
        .thenRow('alibaba/H200', { domesticRequired: 0 });
    });

    it('rounds the requirement up to whole units, as the domain does', () => {
      given(allocations, ...history, pairingRatioSet('H200', 0.3333))
        .when(release('s-1', 'o-1', [{ approvalId: 'a-1', quantity: 3 }]))
        .thenRow('bytedance/H200', { domesticRequired: 1 });
    });
  });

  describe('when an event refers to something it does not know', () => {
    it('ignores it and changes nothing', () => {
      given(allocations, ...products, order('o-1', 100), approval('a-1', 50))
        .when(
          orderCancelled('o-unknown', 5),
          release('s-1', 'o-unknown', [{ approvalId: 'a-1', quantity: 5 }]),
          approvalRevoked({ approvalId: 'a-unknown', firmId: 'bytedance', sku: 'H200', voidedQuota: 5 }),
          order('o-1', 999),
          approval('a-1', 999),
          pairingRatioSet('H200', -1),
        )
        .thenNothingChanges();
    });

    it('applies a shipment and ignores the draw from an approval it does not know', () => {
      given(allocations, ...products, order('o-1', 100), approval('a-1', 50))
        .when(release('s-1', 'o-1', [{ approvalId: 'a-unknown', quantity: 5 }]))
        .thenRow('bytedance/H200', { shipped: 5, remainingQuota: 50 });
    });

    it('ignores a second revocation and a second cancellation', () => {
      const revoke = approvalRevoked({
        approvalId: 'a-1',
        firmId: 'bytedance',
        sku: 'H200',
        voidedQuota: 50,
      });
      given(
        allocations,
        ...products,
        order('o-1', 100),
        approval('a-1', 50),
        revoke,
        orderCancelled('o-1', 100),
      )
        .when(revoke, orderCancelled('o-1', 100))
        .thenNothingChanges();
    });
  });
});
