/**
 * The ledger's facts. Types are explicit strings stored with the event; `data` holds JSON only, so an
 * event can be stored as is. Fields beyond PRODUCT.md's tables (the sku and firm of a revocation, the
 * order of a delivery) are the keys that place the event in its streams; see streams.ts.
 */

export const ORIGINS = ['foreign', 'domestic'] as const;
export type Origin = (typeof ORIGINS)[number];

type Event<Type extends string, Data> = { type: Type; data: Data };

export type ProductRegistered = Event<
  'ProductRegistered',
  { sku: string; name: string; vendor: string; origin: Origin }
>;

export type FirmRegistered = Event<'FirmRegistered', { firmId: string; name: string; jurisdiction: string }>;

export type OrderPlaced = Event<
  'OrderPlaced',
  { orderId: string; firmId: string; sku: string; quantity: number }
>;

export type OrderCancelled = Event<
  'OrderCancelled',
  {
    orderId: string;
    reason: string;
    /** What was still unshipped: the order's outstanding quantity at cancellation. */
    cancelledQuantity: number;
  }
>;

export type ExportLicenseGranted = Event<
  'ExportLicenseGranted',
  {
    licenseId: string;
    sku: string;
    vendor: string;
    destination: string;
    /** ISO 8601 instant from which the license is expired; absent: it does not expire. */
    validUntil?: string;
  }
>;

export type ExportLicenseRevoked = Event<
  'ExportLicenseRevoked',
  { licenseId: string; sku: string; reason: string }
>;

export type ImportsBlocked = Event<'ImportsBlocked', { sku: string; reason: string }>;

export type ImportsUnblocked = Event<'ImportsUnblocked', { sku: string; reason: string }>;

export type ApprovalGranted = Event<
  'ApprovalGranted',
  { approvalId: string; batchId: string; firmId: string; sku: string; quota: number }
>;

export type ApprovalRevoked = Event<
  'ApprovalRevoked',
  {
    approvalId: string;
    firmId: string;
    sku: string;
    reason: string;
    /** The quota not yet drawn by shipments, which the revocation takes away. */
    voidedQuota: number;
  }
>;

export type PairingRatioSet = Event<'PairingRatioSet', { sku: string; domesticPerUnit: number }>;

export type DomesticPurchaseRecorded = Event<
  'DomesticPurchaseRecorded',
  { purchaseId: string; firmId: string; sku: string; quantity: number }
>;

export type SupplyRecorded = Event<'SupplyRecorded', { supplyId: string; sku: string; quantity: number }>;

/** How much of a shipment was drawn from one approval's quota. */
export type QuotaDraw = { approvalId: string; quantity: number };

export type ShipmentReleased = Event<
  'ShipmentReleased',
  {
    shipmentId: string;
    orderId: string;
    firmId: string;
    sku: string;
    quantity: number;
    /** Oldest approval first; the quantities add up to the shipment's. */
    drawnFrom: QuotaDraw[];
  }
>;

export type ShipmentDelivered = Event<'ShipmentDelivered', { shipmentId: string; orderId: string }>;

export type LedgerEvent =
  | ProductRegistered
  | FirmRegistered
  | OrderPlaced
  | OrderCancelled
  | ExportLicenseGranted
  | ExportLicenseRevoked
  | ImportsBlocked
  | ImportsUnblocked
  | ApprovalGranted
  | ApprovalRevoked
  | PairingRatioSet
  | DomesticPurchaseRecorded
  | SupplyRecorded
  | ShipmentReleased
  | ShipmentDelivered;

export type LedgerEventType = LedgerEvent['type'];

export type EventOf<Type extends LedgerEventType> = Extract<LedgerEvent, { type: Type }>;

/** The schema version each type is written in; raise it together with an upcaster from the old one. */
export const CURRENT_SCHEMA_VERSION = {
  ProductRegistered: 1,
  FirmRegistered: 1,
  OrderPlaced: 1,
  OrderCancelled: 1,
  ExportLicenseGranted: 1,
  ExportLicenseRevoked: 1,
  ImportsBlocked: 1,
  ImportsUnblocked: 1,
  ApprovalGranted: 1,
  ApprovalRevoked: 1,
  PairingRatioSet: 1,
  DomesticPurchaseRecorded: 1,
  SupplyRecorded: 1,
  ShipmentReleased: 1,
  ShipmentDelivered: 1,
} as const satisfies Record<LedgerEventType, number>;

export const EVENT_TYPES = Object.keys(CURRENT_SCHEMA_VERSION) as readonly LedgerEventType[];

export function isLedgerEventType(type: string): type is LedgerEventType {
  return Object.hasOwn(CURRENT_SCHEMA_VERSION, type);
}
