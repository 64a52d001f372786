import type { Origin } from './events.js';

/** What an admin asks for; path parameters of PRODUCT.md's routes are folded into `data`. */
type Command<Type extends string, Data> = { type: Type; data: Data };

export type RegisterProduct = Command<
  'RegisterProduct',
  { sku: string; name: string; vendor: string; origin: Origin }
>;

export type RegisterFirm = Command<'RegisterFirm', { firmId: string; name: string; jurisdiction: string }>;

export type PlaceOrder = Command<
  'PlaceOrder',
  { orderId: string; firmId: string; sku: string; quantity: number }
>;

export type CancelOrder = Command<'CancelOrder', { orderId: string; reason: string }>;

export type GrantExportLicense = Command<
  'GrantExportLicense',
  { licenseId: string; sku: string; vendor: string; destination: string; validUntil?: string }
>;

export type RevokeExportLicense = Command<'RevokeExportLicense', { licenseId: string; reason: string }>;

export type BlockImports = Command<'BlockImports', { sku: string; reason: string }>;

export type UnblockImports = Command<'UnblockImports', { sku: string; reason: string }>;

export type SetPairingRatio = Command<'SetPairingRatio', { sku: string; domesticPerUnit: number }>;

export type GrantApproval = Command<
  'GrantApproval',
  { approvalId: string; batchId: string; firmId: string; sku: string; quota: number }
>;

export type RevokeApproval = Command<'RevokeApproval', { approvalId: string; reason: string }>;

export type RecordDomesticPurchase = Command<
  'RecordDomesticPurchase',
  { purchaseId: string; firmId: string; sku: string; quantity: number }
>;

export type RecordSupply = Command<'RecordSupply', { supplyId: string; sku: string; quantity: number }>;

export type ReleaseShipment = Command<
  'ReleaseShipment',
  { shipmentId: string; orderId: string; quantity: number }
>;

export type DeliverShipment = Command<'DeliverShipment', { shipmentId: string }>;

export type LedgerCommand =
  | RegisterProduct
  | RegisterFirm
  | PlaceOrder
  | CancelOrder
  | GrantExportLicense
  | RevokeExportLicense
  | BlockImports
  | UnblockImports
  | SetPairingRatio
  | GrantApproval
  | RevokeApproval
  | RecordDomesticPurchase
  | RecordSupply
  | ReleaseShipment
  | DeliverShipment;

export type LedgerCommandType = LedgerCommand['type'];

export type CommandOf<Type extends LedgerCommandType> = Extract<LedgerCommand, { type: Type }>;
