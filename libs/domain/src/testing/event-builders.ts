import type { EventOf, Origin } from '../events.js';

/** Events for specs: the fields a rule reads are arguments, the rest get plain defaults. */

export const productRegistered = (
  sku: string,
  origin: Origin,
  vendor = origin === 'foreign' ? 'Nvidia' : 'Huawei',
): EventOf<'ProductRegistered'> => ({
  type: 'ProductRegistered',
  data: { sku, name: `${vendor} ${sku}`, vendor, origin },
});

export const firmRegistered = (firmId: string): EventOf<'FirmRegistered'> => ({
  type: 'FirmRegistered',
  data: { firmId, name: firmId, jurisdiction: 'CN' },
});

export const orderPlaced = (data: EventOf<'OrderPlaced'>['data']): EventOf<'OrderPlaced'> => ({
  type: 'OrderPlaced',
  data,
});

export const orderCancelled = (orderId: string, cancelledQuantity: number): EventOf<'OrderCancelled'> => ({
  type: 'OrderCancelled',
  data: { orderId, reason: 'withdrawn by the buyer', cancelledQuantity },
});

export const licenseGranted = (
  licenseId: string,
  sku: string,
  validUntil?: string,
): EventOf<'ExportLicenseGranted'> => ({
  type: 'ExportLicenseGranted',
  data: {
    licenseId,
    sku,
    vendor: 'Nvidia',
    destination: 'CN',
    ...(validUntil !== undefined && { validUntil }),
  },
});

export const licenseRevoked = (licenseId: string, sku: string): EventOf<'ExportLicenseRevoked'> => ({
  type: 'ExportLicenseRevoked',
  data: { licenseId, sku, reason: 'policy change' },
});

export const importsBlocked = (sku: string): EventOf<'ImportsBlocked'> => ({
  type: 'ImportsBlocked',
  data: { sku, reason: 'customs order' },
});

export const importsUnblocked = (sku: string): EventOf<'ImportsUnblocked'> => ({
  type: 'ImportsUnblocked',
  data: { sku, reason: 'customs order lifted' },
});

export const approvalGranted = (
  data: Omit<EventOf<'ApprovalGranted'>['data'], 'batchId'> & { batchId?: string },
): EventOf<'ApprovalGranted'> => ({ type: 'ApprovalGranted', data: { batchId: 'batch-1', ...data } });

export const approvalRevoked = (
  data: Omit<EventOf<'ApprovalRevoked'>['data'], 'reason'>,
): EventOf<'ApprovalRevoked'> => ({ type: 'ApprovalRevoked', data: { ...data, reason: 'quota withdrawn' } });

export const pairingRatioSet = (sku: string, domesticPerUnit: number): EventOf<'PairingRatioSet'> => ({
  type: 'PairingRatioSet',
  data: { sku, domesticPerUnit },
});

export const domesticPurchaseRecorded = (
  data: EventOf<'DomesticPurchaseRecorded'>['data'],
): EventOf<'DomesticPurchaseRecorded'> => ({ type: 'DomesticPurchaseRecorded', data });

export const supplyRecorded = (
  supplyId: string,
  sku: string,
  quantity: number,
): EventOf<'SupplyRecorded'> => ({
  type: 'SupplyRecorded',
  data: { supplyId, sku, quantity },
});

export const shipmentReleased = (data: EventOf<'ShipmentReleased'>['data']): EventOf<'ShipmentReleased'> => ({
  type: 'ShipmentReleased',
  data,
});

export const shipmentDelivered = (shipmentId: string, orderId: string): EventOf<'ShipmentDelivered'> => ({
  type: 'ShipmentDelivered',
  data: { shipmentId, orderId },
});
