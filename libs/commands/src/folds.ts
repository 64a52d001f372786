import {
  evolveApproval,
  evolveExportLicense,
  evolveFirm,
  evolveIdClaim,
  evolveOrder,
  evolveProduct,
  evolveShipment,
  initialApprovalState,
  initialExportLicenseState,
  initialFirmState,
  initialIdClaim,
  initialOrderState,
  initialProductState,
  initialShipmentState,
  type LedgerEvent,
} from '@ledger/domain';

/** How a stream's events fold into the state a decision reads. */
export interface Fold<State> {
  initial: State;
  evolve(state: State, event: LedgerEvent): State;
}

const fold = <State>(initial: State, evolve: (state: State, event: LedgerEvent) => State): Fold<State> => ({
  initial,
  evolve,
});

export const productFold = fold(initialProductState, evolveProduct);
export const firmFold = fold(initialFirmState, evolveFirm);
export const orderFold = fold(initialOrderState, evolveOrder);
export const approvalFold = fold(initialApprovalState, evolveApproval);
export const licenseFold = fold(initialExportLicenseState, evolveExportLicense);
export const shipmentFold = fold(initialShipmentState, evolveShipment);
export const idClaimFold = fold(initialIdClaim, evolveIdClaim);
