import type { LedgerEvent } from './events.js';

export const productStream = (sku: string): string => `product-${sku}`;
export const firmStream = (firmId: string): string => `firm-${firmId}`;
export const orderStream = (orderId: string): string => `order-${orderId}`;
export const approvalStream = (approvalId: string): string => `approval-${approvalId}`;
export const licenseStream = (licenseId: string): string => `license-${licenseId}`;
export const shipmentStream = (shipmentId: string): string => `shipment-${shipmentId}`;
export const purchaseStream = (purchaseId: string): string => `purchase-${purchaseId}`;
export const supplyStream = (supplyId: string): string => `supply-${supplyId}`;

/**
 * The streams an event is stored in; the first is its own (the record it creates or changes).
 *
 * A decision folds the streams it reads and appends with their expected versions, so an event must be
 * in every stream whose state depends on it, and two decisions that must not interleave must share a
 * stream. Every ReleaseShipment rule from 3 on reads product-{sku} (import block, licenses, approvals
 * and the quota they have given, pairing ratio, units shipped per firm, supply), so whatever changes
 * them is in that stream too and releases of one sku are serialised there: they never over-allocate.
 * The order stream serialises a release with its order's cancellation. A release reads firm-{firmId}
 * for domestic purchases without writing to it: purchases only add, so a stale read can only refuse.
 * Ids that are looked up alone (approval, license, shipment) or claimed once (purchase, supply) have a
 * registry stream of their own, appended to with expected version no-stream. Approvals are also in
 * firm-{firmId}, where PRODUCT.md puts them, so a firm's approvals and purchases read in one place.
 * Orders are placed without touching product or firm: registrations are never undone, so checking
 * that they exist needs no lock, and placing orders never contends with releases.
 */
export function streamsOf(event: LedgerEvent): string[] {
  switch (event.type) {
    case 'ProductRegistered':
    case 'ImportsBlocked':
    case 'ImportsUnblocked':
    case 'PairingRatioSet':
      return [productStream(event.data.sku)];
    case 'FirmRegistered':
      return [firmStream(event.data.firmId)];
    case 'OrderPlaced':
    case 'OrderCancelled':
      return [orderStream(event.data.orderId)];
    case 'ExportLicenseGranted':
    case 'ExportLicenseRevoked':
      return [licenseStream(event.data.licenseId), productStream(event.data.sku)];
    case 'ApprovalGranted':
    case 'ApprovalRevoked':
      return [
        approvalStream(event.data.approvalId),
        productStream(event.data.sku),
        firmStream(event.data.firmId),
      ];
    case 'DomesticPurchaseRecorded':
      return [purchaseStream(event.data.purchaseId), firmStream(event.data.firmId)];
    case 'SupplyRecorded':
      return [supplyStream(event.data.supplyId), productStream(event.data.sku)];
    case 'ShipmentReleased':
      return [
        shipmentStream(event.data.shipmentId),
        productStream(event.data.sku),
        orderStream(event.data.orderId),
      ];
    case 'ShipmentDelivered':
      return [shipmentStream(event.data.shipmentId), orderStream(event.data.orderId)];
  }
}
