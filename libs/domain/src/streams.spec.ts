import { EVENT_TYPES, type LedgerEvent } from './events.js';
import { streamsOf } from './streams.js';
import {
  approvalGranted,
  approvalRevoked,
  domesticPurchaseRecorded,
  firmRegistered,
  importsBlocked,
  importsUnblocked,
  licenseGranted,
  licenseRevoked,
  orderCancelled,
  orderPlaced,
  pairingRatioSet,
  productRegistered,
  shipmentDelivered,
  shipmentReleased,
  supplyRecorded,
} from './testing/event-builders.js';

const placement: [LedgerEvent, string[]][] = [
  [productRegistered('H200', 'foreign'), ['product-H200']],
  [firmRegistered('bytedance'), ['firm-bytedance']],
  [orderPlaced({ orderId: 'o-1', firmId: 'bytedance', sku: 'H200', quantity: 10 }), ['order-o-1']],
  [orderCancelled('o-1', 10), ['order-o-1']],
  [licenseGranted('lic-1', 'H200'), ['license-lic-1', 'product-H200']],
  [licenseRevoked('lic-1', 'H200'), ['license-lic-1', 'product-H200']],
  [importsBlocked('H200'), ['product-H200']],
  [importsUnblocked('H200'), ['product-H200']],
  [
    approvalGranted({ approvalId: 'a-1', firmId: 'bytedance', sku: 'H200', quota: 10 }),
    ['approval-a-1', 'product-H200', 'firm-bytedance'],
  ],
  [
    approvalRevoked({ approvalId: 'a-1', firmId: 'bytedance', sku: 'H200', voidedQuota: 10 }),
    ['approval-a-1', 'product-H200', 'firm-bytedance'],
  ],
  [pairingRatioSet('H200', 0.5), ['product-H200']],
  [
    domesticPurchaseRecorded({ purchaseId: 'p-1', firmId: 'bytedance', sku: 'ASCEND-910C', quantity: 5 }),
    ['purchase-p-1', 'firm-bytedance'],
  ],
  [supplyRecorded('sup-1', 'H200', 10), ['supply-sup-1', 'product-H200']],
  [
    shipmentReleased({
      shipmentId: 's-1',
      orderId: 'o-1',
      firmId: 'bytedance',
      sku: 'H200',
      quantity: 10,
      drawnFrom: [{ approvalId: 'a-1', quantity: 10 }],
    }),
    ['shipment-s-1', 'product-H200', 'order-o-1'],
  ],
  [shipmentDelivered('s-1', 'o-1'), ['shipment-s-1', 'order-o-1']],
];

describe('the streams of an event', () => {
  it.each(placement)('puts %o in %p', (event, streams) => {
    expect(streamsOf(event)).toEqual(streams);
  });

  it('places every event type', () => {
    expect(placement.map(([event]) => event.type).sort()).toEqual([...EVENT_TYPES].sort());
  });
});
