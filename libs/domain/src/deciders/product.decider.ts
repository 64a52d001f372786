import type {
  BlockImports,
  RecordSupply,
  RegisterProduct,
  SetPairingRatio,
  UnblockImports,
} from '../commands.js';
import { assertValidCommand } from '../command-validation.js';
import { DomainError } from '../errors.js';
import type { EventOf, LedgerEvent, Origin, QuotaDraw } from '../events.js';
import type { ExportLicenseTerms } from '../rules/export-license.rule.js';
import type { ApprovalQuota } from '../rules/quota.rule.js';
import type { IdClaim } from './id-claim.js';

/** Everything ReleaseShipment checks about one sku: the stream that serialises its releases. */
export type ProductState = { status: 'none' } | RegisteredProduct;

export type RegisteredProduct = {
  status: 'registered';
  sku: string;
  name: string;
  vendor: string;
  origin: Origin;
  importsBlocked: boolean;
  licenses: readonly ExportLicenseTerms[];
  /** 0 until a ratio is set: no pairing required. */
  domesticPerUnit: number;
  supplied: number;
  released: number;
  /** Every firm's approvals for this sku, oldest first: quota is drawn in this order. */
  approvals: readonly ApprovalQuota[];
  shippedByFirm: ReadonlyMap<string, number>;
};

export const initialProductState: ProductState = { status: 'none' };

export function evolveProduct(state: ProductState, event: LedgerEvent): ProductState {
  if (event.type === 'ProductRegistered') return registered(event);
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'ImportsBlocked':
      return { ...state, importsBlocked: true };
    case 'ImportsUnblocked':
      return { ...state, importsBlocked: false };
    case 'ExportLicenseGranted': {
      const { licenseId, validUntil } = event.data;
      return { ...state, licenses: [...state.licenses, { licenseId, validUntil, revoked: false }] };
    }
    case 'ExportLicenseRevoked':
      return {
        ...state,
        licenses: state.licenses.map((license) =>
          license.licenseId === event.data.licenseId ? { ...license, revoked: true } : license,
        ),
      };
    case 'PairingRatioSet':
      return { ...state, domesticPerUnit: event.data.domesticPerUnit };
    case 'SupplyRecorded':
      return { ...state, supplied: state.supplied + event.data.quantity };
    case 'ApprovalGranted': {
      const { approvalId, firmId, quota } = event.data;
      return {
        ...state,
        approvals: [...state.approvals, { approvalId, firmId, quota, used: 0, revoked: false }],
      };
    }
    case 'ApprovalRevoked':
      return {
        ...state,
        approvals: state.approvals.map((approval) =>
          approval.approvalId === event.data.approvalId ? { ...approval, revoked: true } : approval,
        ),
      };
    case 'ShipmentReleased': {
      const { firmId, quantity, drawnFrom } = event.data;
      return {
        ...state,
        released: state.released + quantity,
        shippedByFirm: new Map(state.shippedByFirm).set(firmId, shippedTo(state, firmId) + quantity),
        approvals: state.approvals.map((approval) => drawn(approval, drawnFrom)),
      };
    }
    default:
      return state;
  }
}

export function shippedTo(product: RegisteredProduct, firmId: string): number {
  return product.shippedByFirm.get(firmId) ?? 0;
}

export function availableSupply(product: RegisteredProduct): number {
  return product.supplied - product.released;
}

export function decideRegisterProduct(
  command: RegisterProduct,
  product: ProductState,
): EventOf<'ProductRegistered'> {
  assertValidCommand(command);
  const { sku, name, vendor, origin } = command.data;
  if (product.status !== 'none') {
    throw new DomainError('PRODUCT_ALREADY_REGISTERED', `product ${sku} is already registered`);
  }
  return { type: 'ProductRegistered', data: { sku, name, vendor, origin } };
}

export function decideBlockImports(command: BlockImports, product: ProductState): EventOf<'ImportsBlocked'> {
  assertValidCommand(command);
  const { sku, reason } = command.data;
  const foreign = requireOrigin(requireProduct(product, sku), 'foreign');
  if (foreign.importsBlocked) {
    throw new DomainError('IMPORTS_ALREADY_BLOCKED', `imports of ${sku} are already blocked`);
  }
  return { type: 'ImportsBlocked', data: { sku, reason } };
}

export function decideUnblockImports(
  command: UnblockImports,
  product: ProductState,
): EventOf<'ImportsUnblocked'> {
  assertValidCommand(command);
  const { sku, reason } = command.data;
  const foreign = requireOrigin(requireProduct(product, sku), 'foreign');
  if (!foreign.importsBlocked) {
    throw new DomainError('IMPORTS_NOT_BLOCKED', `imports of ${sku} are not blocked`);
  }
  return { type: 'ImportsUnblocked', data: { sku, reason } };
}

export function decideSetPairingRatio(
  command: SetPairingRatio,
  product: ProductState,
): EventOf<'PairingRatioSet'> {
  assertValidCommand(command);
  const { sku, domesticPerUnit } = command.data;
  requireOrigin(requireProduct(product, sku), 'foreign');
  return { type: 'PairingRatioSet', data: { sku, domesticPerUnit } };
}

/** Supply is vendor inventory made available for export, so it concerns a foreign product. */
export function decideRecordSupply(
  command: RecordSupply,
  supply: IdClaim,
  product: ProductState,
): EventOf<'SupplyRecorded'> {
  assertValidCommand(command);
  const { supplyId, sku, quantity } = command.data;
  if (supply.status !== 'none') {
    throw new DomainError('SUPPLY_ALREADY_RECORDED', `supply ${supplyId} is already recorded`);
  }
  requireOrigin(requireProduct(product, sku), 'foreign');
  return { type: 'SupplyRecorded', data: { supplyId, sku, quantity } };
}

export function requireProduct(product: ProductState, sku: string): RegisteredProduct {
  if (product.status === 'none')
    throw new DomainError('PRODUCT_NOT_FOUND', `product ${sku} is not registered`);
  if (product.sku !== sku) throw new Error(`the state of product ${product.sku} was given for ${sku}`);
  return product;
}

export function requireOrigin(product: RegisteredProduct, origin: Origin): RegisteredProduct {
  if (product.origin !== origin) {
    throw new DomainError('ORIGIN_MISMATCH', `product ${product.sku} is ${product.origin}, not ${origin}`, {
      sku: product.sku,
      origin: product.origin,
      expected: origin,
    });
  }
  return product;
}

function registered({
  data: { sku, name, vendor, origin },
}: EventOf<'ProductRegistered'>): RegisteredProduct {
  return {
    status: 'registered',
    sku,
    name,
    vendor,
    origin,
    importsBlocked: false,
    licenses: [],
    domesticPerUnit: 0,
    supplied: 0,
    released: 0,
    approvals: [],
    shippedByFirm: new Map(),
  };
}

function drawn(approval: ApprovalQuota, drawnFrom: readonly QuotaDraw[]): ApprovalQuota {
  const draw = drawnFrom.find(({ approvalId }) => approvalId === approval.approvalId);
  return draw ? { ...approval, used: approval.used + draw.quantity } : approval;
}
