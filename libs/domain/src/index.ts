export * from './ids.js';
export * from './events.js';
export * from './commands.js';
export * from './errors.js';
export * from './streams.js';
export { assertValidCommand, validateCommand, type FieldViolation } from './command-validation.js';
export { decimalFraction, domesticRequired, meetsPairing } from './rules/pairing.rule.js';
export {
  activeApprovalsOf,
  drawQuota,
  remainingQuota,
  unusedQuota,
  type ApprovalQuota,
} from './rules/quota.rule.js';
export { hasActiveLicense, isLicenseActive, type ExportLicenseTerms } from './rules/export-license.rule.js';
export { evolveIdClaim, initialIdClaim, type IdClaim } from './deciders/id-claim.js';
export {
  availableSupply,
  decideBlockImports,
  decideRecordSupply,
  decideRegisterProduct,
  decideSetPairingRatio,
  decideUnblockImports,
  evolveProduct,
  initialProductState,
  shippedTo,
  type ProductState,
  type RegisteredProduct,
} from './deciders/product.decider.js';
export {
  decideRecordDomesticPurchase,
  decideRegisterFirm,
  evolveFirm,
  initialFirmState,
  type FirmState,
  type RegisteredFirm,
} from './deciders/firm.decider.js';
export {
  decideCancelOrder,
  decidePlaceOrder,
  evolveOrder,
  initialOrderState,
  outstandingOf,
  type OrderState,
  type PlacedOrder,
} from './deciders/order.decider.js';
export {
  decideGrantApproval,
  decideRevokeApproval,
  evolveApproval,
  initialApprovalState,
  type ApprovalState,
  type GrantedApproval,
} from './deciders/approval.decider.js';
export {
  decideGrantExportLicense,
  decideRevokeExportLicense,
  evolveExportLicense,
  initialExportLicenseState,
  type ExportLicenseState,
  type GrantedExportLicense,
} from './deciders/export-license.decider.js';
export {
  decideDeliverShipment,
  decideReleaseShipment,
  evolveShipment,
  initialShipmentState,
  type ReleasedShipment,
  type ShipmentState,
} from './deciders/shipment.decider.js';
