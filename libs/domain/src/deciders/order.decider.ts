import type { CancelOrder, PlaceOrder } from '../commands.js';
import { assertValidCommand } from '../command-validation.js';
import { DomainError } from '../errors.js';
import type { EventOf, LedgerEvent } from '../events.js';
import { requireFirm, type FirmState } from './firm.decider.js';
import { requireOrigin, requireProduct, type ProductState } from './product.decider.js';

export type OrderState = { status: 'none' } | PlacedOrder;

export type PlacedOrder = {
  status: 'placed' | 'cancelled';
  orderId: string;
  firmId: string;
  sku: string;
  quantity: number;
  shipped: number;
  cancelled: number;
};

export const initialOrderState: OrderState = { status: 'none' };

export function evolveOrder(state: OrderState, event: LedgerEvent): OrderState {
  if (event.type === 'OrderPlaced') {
    const { orderId, firmId, sku, quantity } = event.data;
    return {
      status: 'placed',
      orderId,
      firmId,
      sku,
      quantity,
      shipped: 0,
      cancelled: 0,
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'OrderCancelled':
      return { ...state, status: 'cancelled', cancelled: state.cancelled + event.data.cancelledQuantity };
    // Constant work per event: a decision's cost must not grow with the order's history. Deliveries are
    // the shipments' own business (and the orders read model's); no rule on an order reads them.
    case 'ShipmentReleased':
      return { ...state, shipped: state.shipped + event.data.quantity };
    default:
      return state;
  }
}

/** Ordered, not yet shipped and not cancelled: what a shipment may still take. */
export function outstandingOf(order: PlacedOrder): number {
  return order.quantity - order.shipped - order.cancelled;
}

export function decidePlaceOrder(
  command: PlaceOrder,
  order: OrderState,
  firm: FirmState,
  product: ProductState,
): EventOf<'OrderPlaced'> {
  assertValidCommand(command);
  const { orderId, firmId, sku, quantity } = command.data;
  if (order.status !== 'none')
    throw new DomainError('ORDER_ALREADY_EXISTS', `order ${orderId} already exists`);
  requireFirm(firm, firmId);
  requireOrigin(requireProduct(product, sku), 'foreign');
  return { type: 'OrderPlaced', data: { orderId, firmId, sku, quantity } };
}

export function decideCancelOrder(command: CancelOrder, order: OrderState): EventOf<'OrderCancelled'> {
  assertValidCommand(command);
  const { orderId, reason } = command.data;
  const placed = requireOrder(order, orderId);
  if (placed.status === 'cancelled') {
    throw new DomainError('ORDER_ALREADY_CANCELLED', `order ${orderId} is already cancelled`);
  }
  const outstanding = outstandingOf(placed);
  if (outstanding === 0) {
    throw new DomainError('ORDER_FULFILLED', `order ${orderId} is fully shipped; nothing is left to cancel`);
  }
  return { type: 'OrderCancelled', data: { orderId, reason, cancelledQuantity: outstanding } };
}

export function requireOrder(order: OrderState, orderId: string): PlacedOrder {
  if (order.status === 'none') throw new DomainError('ORDER_NOT_FOUND', `order ${orderId} does not exist`);
  if (order.orderId !== orderId)
    throw new Error(`the state of order ${order.orderId} was given for ${orderId}`);
  return order;
}
