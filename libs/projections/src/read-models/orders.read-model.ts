import type { JsonValue } from '@ledger/event-store';
import type { ReadModel } from '../read-model.js';
import { compareText, sortedEntries } from './support.js';

/**
 * An order's status, the first that holds:
 * - `cancelled`: the order was cancelled (whatever it had shipped before stays shipped);
 * - `fulfilled`: nothing outstanding (every unit shipped);
 * - `partially-shipped`: some units shipped, some outstanding;
 * - `open`: nothing shipped yet.
 */
export const ORDER_STATUSES = ['cancelled', 'fulfilled', 'partially-shipped', 'open'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export type OrderRow = {
  orderId: string;
  firmId: string;
  sku: string;
  quantity: number;
  shipped: number;
  /** Units of the order's shipments that were delivered. */
  delivered: number;
  /** The cancelledQuantity of its cancellation: what was outstanding then. */
  cancelled: number;
  /** quantity − shipped − cancelled: what a shipment may still take. */
  outstanding: number;
  status: OrderStatus;
};

type Order = {
  firmId: string;
  sku: string;
  quantity: number;
  shipped: number;
  delivered: number;
  cancelled: number;
  isCancelled: boolean;
};

/** A released shipment not yet delivered; a delivered one is forgotten, as nothing refers to it again. */
type PendingShipment = { orderId: string; quantity: number };

export type OrdersState = {
  orders: Map<string, Order>;
  inTransit: Map<string, PendingShipment>;
};

export function orderStatus(order: Order): OrderStatus {
  if (order.isCancelled) return 'cancelled';
  if (order.quantity - order.shipped - order.cancelled <= 0) return 'fulfilled';
  return order.shipped > 0 ? 'partially-shipped' : 'open';
}

function rowOf(orderId: string, order: Order): OrderRow {
  return {
    orderId,
    firmId: order.firmId,
    sku: order.sku,
    quantity: order.quantity,
    shipped: order.shipped,
    delivered: order.delivered,
    cancelled: order.cancelled,
    outstanding: order.quantity - order.shipped - order.cancelled,
    status: orderStatus(order),
  };
}

type OrderTuple = [string, string, string, number, number, number, number, boolean];
type ShipmentTuple = [string, string, number];

export const ordersReadModel: ReadModel<OrdersState, OrderRow> = {
  name: 'orders',
  version: 1,
  table: 'proj_orders',
  columns: [
    { field: 'orderId', type: 'text' },
    { field: 'firmId', type: 'text' },
    { field: 'sku', type: 'text' },
    { field: 'quantity', type: 'bigint' },
    { field: 'shipped', type: 'bigint' },
    { field: 'delivered', type: 'bigint' },
    { field: 'cancelled', type: 'bigint' },
    { field: 'outstanding', type: 'bigint' },
    { field: 'status', type: 'text' },
  ],
  key: ['orderId'],
  filters: ['firmId', 'status'],

  initial: () => ({ orders: new Map(), inTransit: new Map() }),

  /** Unknown or repeated ids are ignored (see holdings.ts for why). */
  evolve(state, { event }) {
    switch (event.type) {
      case 'OrderPlaced': {
        const { orderId, firmId, sku, quantity } = event.data;
        if (state.orders.has(orderId)) return [];
        state.orders.set(orderId, {
          firmId,
          sku,
          quantity,
          shipped: 0,
          delivered: 0,
          cancelled: 0,
          isCancelled: false,
        });
        return [orderId];
      }
      case 'OrderCancelled': {
        const order = state.orders.get(event.data.orderId);
        if (!order || order.isCancelled) return [];
        order.isCancelled = true;
        order.cancelled += event.data.cancelledQuantity;
        return [event.data.orderId];
      }
      case 'ShipmentReleased': {
        const { shipmentId, orderId, quantity } = event.data;
        const order = state.orders.get(orderId);
        if (!order || state.inTransit.has(shipmentId)) return [];
        order.shipped += quantity;
        state.inTransit.set(shipmentId, { orderId, quantity });
        return [orderId];
      }
      case 'ShipmentDelivered': {
        const shipment = state.inTransit.get(event.data.shipmentId);
        const order = shipment && state.orders.get(shipment.orderId);
        if (!shipment || !order) return [];
        state.inTransit.delete(event.data.shipmentId);
        order.delivered += shipment.quantity;
        return [shipment.orderId];
      }
      default:
        return [];
    }
  },

  row(state, orderId) {
    const order = state.orders.get(orderId);
    return order && rowOf(orderId, order);
  },

  rows(state) {
    return [...state.orders.keys()]
      .sort(compareText)
      .map((orderId) => rowOf(orderId, state.orders.get(orderId) as Order));
  },

  rowKey: (row) => row.orderId,

  snapshot(state): JsonValue {
    return {
      orders: sortedEntries(state.orders, (orderId, o): OrderTuple => [
        orderId,
        o.firmId,
        o.sku,
        o.quantity,
        o.shipped,
        o.delivered,
        o.cancelled,
        o.isCancelled,
      ]),
      inTransit: sortedEntries(state.inTransit, (shipmentId, s): ShipmentTuple => [
        shipmentId,
        s.orderId,
        s.quantity,
      ]),
    };
  },

  restore(json) {
    const saved = json as unknown as { orders: OrderTuple[]; inTransit: ShipmentTuple[] };
    const state: OrdersState = { orders: new Map(), inTransit: new Map() };
    for (const [orderId, firmId, sku, quantity, shipped, delivered, cancelled, isCancelled] of saved.orders) {
      state.orders.set(orderId, { firmId, sku, quantity, shipped, delivered, cancelled, isCancelled });
    }
    for (const [shipmentId, orderId, quantity] of saved.inTransit) {
      state.inTransit.set(shipmentId, { orderId, quantity });
    }
    return state;
  },
};
