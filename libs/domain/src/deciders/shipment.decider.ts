import type { DeliverShipment, ReleaseShipment } from '../commands.js';
import { assertValidCommand } from '../command-validation.js';
import { DomainError } from '../errors.js';
import type { EventOf, LedgerEvent, QuotaDraw } from '../events.js';
import { hasActiveLicense } from '../rules/export-license.rule.js';
import { domesticRequired, meetsPairing } from '../rules/pairing.rule.js';
import { activeApprovalsOf, drawQuota, remainingQuota } from '../rules/quota.rule.js';
import { requireFirm, type FirmState, type RegisteredFirm } from './firm.decider.js';
import { outstandingOf, requireOrder, type OrderState, type PlacedOrder } from './order.decider.js';
import {
  availableSupply,
  requireProduct,
  shippedTo,
  type ProductState,
  type RegisteredProduct,
} from './product.decider.js';

/** The shipment-{id} registry: finds a shipment's order from its id alone. */
export type ShipmentState = { status: 'none' } | ReleasedShipment;

export type ReleasedShipment = {
  status: 'released' | 'delivered';
  shipmentId: string;
  orderId: string;
  firmId: string;
  sku: string;
  quantity: number;
};

export const initialShipmentState: ShipmentState = { status: 'none' };

export function evolveShipment(state: ShipmentState, event: LedgerEvent): ShipmentState {
  switch (event.type) {
    case 'ShipmentReleased': {
      const { shipmentId, orderId, firmId, sku, quantity } = event.data;
      return { status: 'released', shipmentId, orderId, firmId, sku, quantity };
    }
    case 'ShipmentDelivered':
      return state.status === 'none' ? state : { ...state, status: 'delivered' };
    default:
      return state;
  }
}

/**
 * PRODUCT.md's seven rules, in its order: the first that fails is the answer. `product` and `firm` are
 * the states of the order's sku and firm; `now` decides whether a license has expired.
 */
export function decideReleaseShipment(
  command: ReleaseShipment,
  shipment: ShipmentState,
  order: OrderState,
  product: ProductState,
  firm: FirmState,
  now: Date,
): EventOf<'ShipmentReleased'> {
  assertValidCommand(command);
  const { shipmentId, orderId, quantity } = command.data;
  if (shipment.status !== 'none') {
    throw new DomainError('SHIPMENT_ALREADY_EXISTS', `shipment ${shipmentId} already exists`);
  }
  const placed = requireOpenOrder(order, orderId);
  const { firmId, sku } = placed;
  const foreign = requireProduct(product, sku);
  const buyer = requireFirm(firm, firmId);

  requireBacklog(placed, quantity);
  requireImportsOpen(foreign);
  requireActiveLicense(foreign, now);
  const drawnFrom = drawApprovedQuota(foreign, firmId, quantity);
  requirePairing(foreign, buyer, quantity);
  requireSupply(foreign, quantity);

  return { type: 'ShipmentReleased', data: { shipmentId, orderId, firmId, sku, quantity, drawnFrom } };
}

export function decideDeliverShipment(
  command: DeliverShipment,
  shipment: ShipmentState,
): EventOf<'ShipmentDelivered'> {
  assertValidCommand(command);
  const { shipmentId } = command.data;
  if (shipment.status === 'none') {
    throw new DomainError('SHIPMENT_NOT_FOUND', `shipment ${shipmentId} does not exist`);
  }
  if (shipment.status === 'delivered') {
    throw new DomainError('SHIPMENT_ALREADY_DELIVERED', `shipment ${shipmentId} is already delivered`);
  }
  return { type: 'ShipmentDelivered', data: { shipmentId, orderId: shipment.orderId } };
}

function requireOpenOrder(order: OrderState, orderId: string): PlacedOrder {
  const placed = requireOrder(order, orderId);
  if (placed.status === 'cancelled')
    throw new DomainError('ORDER_CANCELLED', `order ${orderId} is cancelled`);
  return placed;
}

function requireBacklog(order: PlacedOrder, quantity: number): void {
  const outstanding = outstandingOf(order);
  if (quantity > outstanding) {
    throw new DomainError(
      'QUANTITY_EXCEEDS_BACKLOG',
      `order ${order.orderId} has ${outstanding} units outstanding, fewer than ${quantity}`,
      { outstanding, requested: quantity },
    );
  }
}

function requireImportsOpen(product: RegisteredProduct): void {
  if (product.importsBlocked) {
    throw new DomainError('IMPORTS_BLOCKED', `imports of ${product.sku} are blocked`);
  }
}

function requireActiveLicense(product: RegisteredProduct, now: Date): void {
  if (!hasActiveLicense(product.licenses, now)) {
    throw new DomainError('NO_EXPORT_LICENSE', `no export license for ${product.sku} is active`);
  }
}

function drawApprovedQuota(product: RegisteredProduct, firmId: string, quantity: number): QuotaDraw[] {
  const approvals = activeApprovalsOf(product.approvals, firmId);
  if (approvals.length === 0) {
    throw new DomainError('NO_APPROVAL', `firm ${firmId} has no active approval for ${product.sku}`);
  }
  const drawnFrom = drawQuota(approvals, quantity);
  if (!drawnFrom) {
    const remaining = remainingQuota(approvals);
    throw new DomainError(
      'QUOTA_EXCEEDED',
      `firm ${firmId} has ${remaining} units of approved ${product.sku} quota left, fewer than ${quantity}`,
      { remainingQuota: remaining, requested: quantity },
    );
  }
  return drawnFrom;
}

function requirePairing(product: RegisteredProduct, firm: RegisteredFirm, quantity: number): void {
  const foreignUnits = shippedTo(product, firm.firmId) + quantity;
  if (!meetsPairing(product.domesticPerUnit, firm.domesticPurchased, foreignUnits)) {
    const required = domesticRequired(product.domesticPerUnit, foreignUnits);
    throw new DomainError(
      'PAIRING_SHORTFALL',
      `firm ${firm.firmId} has bought ${firm.domesticPurchased} domestic units; ${foreignUnits} units of ${product.sku} need ${required}`,
      {
        domesticPurchased: firm.domesticPurchased,
        domesticRequired: required,
        domesticPerUnit: product.domesticPerUnit,
      },
    );
  }
}

function requireSupply(product: RegisteredProduct, quantity: number): void {
  const available = availableSupply(product);
  if (available < quantity) {
    throw new DomainError(
      'INSUFFICIENT_SUPPLY',
      `${available} units of ${product.sku} are in supply, fewer than ${quantity}`,
      { availableSupply: available, requested: quantity },
    );
  }
}
