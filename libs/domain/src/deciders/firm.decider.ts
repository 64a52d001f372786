import type { RecordDomesticPurchase, RegisterFirm } from '../commands.js';
import { assertValidCommand } from '../command-validation.js';
import { DomainError } from '../errors.js';
import type { EventOf, LedgerEvent } from '../events.js';
import type { IdClaim } from './id-claim.js';
import { requireOrigin, requireProduct, type ProductState } from './product.decider.js';

export type FirmState = { status: 'none' } | RegisteredFirm;

export type RegisteredFirm = {
  status: 'registered';
  firmId: string;
  name: string;
  jurisdiction: string;
  /** Domestic units of every domestic sku: what the pairing rule counts. */
  domesticPurchased: number;
};

export const initialFirmState: FirmState = { status: 'none' };

export function evolveFirm(state: FirmState, event: LedgerEvent): FirmState {
  if (event.type === 'FirmRegistered') {
    const { firmId, name, jurisdiction } = event.data;
    return { status: 'registered', firmId, name, jurisdiction, domesticPurchased: 0 };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'DomesticPurchaseRecorded':
      return { ...state, domesticPurchased: state.domesticPurchased + event.data.quantity };
    default:
      return state;
  }
}

export function decideRegisterFirm(command: RegisterFirm, firm: FirmState): EventOf<'FirmRegistered'> {
  assertValidCommand(command);
  const { firmId, name, jurisdiction } = command.data;
  if (firm.status !== 'none') {
    throw new DomainError('FIRM_ALREADY_REGISTERED', `firm ${firmId} is already registered`);
  }
  return { type: 'FirmRegistered', data: { firmId, name, jurisdiction } };
}

export function decideRecordDomesticPurchase(
  command: RecordDomesticPurchase,
  purchase: IdClaim,
  firm: FirmState,
  product: ProductState,
): EventOf<'DomesticPurchaseRecorded'> {
  assertValidCommand(command);
  const { purchaseId, firmId, sku, quantity } = command.data;
  if (purchase.status !== 'none') {
    throw new DomainError('PURCHASE_ALREADY_RECORDED', `purchase ${purchaseId} is already recorded`);
  }
  requireFirm(firm, firmId);
  requireOrigin(requireProduct(product, sku), 'domestic');
  return { type: 'DomesticPurchaseRecorded', data: { purchaseId, firmId, sku, quantity } };
}

export function requireFirm(firm: FirmState, firmId: string): RegisteredFirm {
  if (firm.status === 'none') throw new DomainError('FIRM_NOT_FOUND', `firm ${firmId} is not registered`);
  if (firm.firmId !== firmId) throw new Error(`the state of firm ${firm.firmId} was given for ${firmId}`);
  return firm;
}
