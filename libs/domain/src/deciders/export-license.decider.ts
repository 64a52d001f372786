import type { GrantExportLicense, RevokeExportLicense } from '../commands.js';
import { assertValidCommand } from '../command-validation.js';
import { DomainError } from '../errors.js';
import type { EventOf, LedgerEvent } from '../events.js';
import { requireOrigin, requireProduct, type ProductState } from './product.decider.js';

/** The license-{id} registry: finds a license's sku from its id alone. */
export type ExportLicenseState = { status: 'none' } | GrantedExportLicense;

export type GrantedExportLicense = {
  status: 'granted' | 'revoked';
  licenseId: string;
  sku: string;
  vendor: string;
  destination: string;
  validUntil?: string;
};

export const initialExportLicenseState: ExportLicenseState = { status: 'none' };

export function evolveExportLicense(state: ExportLicenseState, event: LedgerEvent): ExportLicenseState {
  switch (event.type) {
    case 'ExportLicenseGranted': {
      const { licenseId, sku, vendor, destination, validUntil } = event.data;
      return { status: 'granted', licenseId, sku, vendor, destination, validUntil };
    }
    case 'ExportLicenseRevoked':
      return state.status === 'none' ? state : { ...state, status: 'revoked' };
    default:
      return state;
  }
}

/** A license already expired when granted is still recorded: the ledger keeps the fact as it was issued. */
export function decideGrantExportLicense(
  command: GrantExportLicense,
  license: ExportLicenseState,
  product: ProductState,
): EventOf<'ExportLicenseGranted'> {
  assertValidCommand(command);
  const { licenseId, sku, vendor, destination, validUntil } = command.data;
  if (license.status !== 'none') {
    throw new DomainError('LICENSE_ALREADY_EXISTS', `export license ${licenseId} already exists`);
  }
  requireOrigin(requireProduct(product, sku), 'foreign');
  return {
    type: 'ExportLicenseGranted',
    data: { licenseId, sku, vendor, destination, ...(validUntil !== undefined && { validUntil }) },
  };
}

export function decideRevokeExportLicense(
  command: RevokeExportLicense,
  license: ExportLicenseState,
): EventOf<'ExportLicenseRevoked'> {
  assertValidCommand(command);
  const { licenseId, reason } = command.data;
  if (license.status === 'none') {
    throw new DomainError('LICENSE_NOT_FOUND', `export license ${licenseId} does not exist`);
  }
  if (license.status === 'revoked') {
    throw new DomainError('LICENSE_ALREADY_REVOKED', `export license ${licenseId} is already revoked`);
  }
  return { type: 'ExportLicenseRevoked', data: { licenseId, sku: license.sku, reason } };
}
