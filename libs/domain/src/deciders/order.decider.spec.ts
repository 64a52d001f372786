import { given, historyOf, type History } from '../testing/decider-spec.js';
import {
  firmRegistered,
  orderCancelled,
  orderPlaced,
  productRegistered,
  shipmentDelivered,
  shipmentReleased,
} from '../testing/event-builders.js';
import { decideCancelOrder, decidePlaceOrder, outstandingOf } from './order.decider.js';

const registered = [
  firmRegistered('bytedance'),
  productRegistered('H200', 'foreign'),
  productRegistered('ASCEND-910C', 'domestic'),
];
const placed = orderPlaced({ orderId: 'o-1', firmId: 'bytedance', sku: 'H200', quantity: 1_000 });
const shipped = (shipmentId: string, quantity: number) =>
  shipmentReleased({
    shipmentId,
    orderId: 'o-1',
    firmId: 'bytedance',
    sku: 'H200',
    quantity,
    drawnFrom: [{ approvalId: 'a-1', quantity }],
  });

describe('PlaceOrder', () => {
  const place =
    (data: { orderId: string; firmId: string; sku: string; quantity: number }) => (history: History) =>
      decidePlaceOrder(
        { type: 'PlaceOrder', data },
        history.order(data.orderId),
        history.firm(data.firmId),
        history.product(data.sku),
      );

  describe('when the firm and the foreign product are registered', () => {
    it('places the order', () => {
      given(...registered)
        .when(place({ orderId: 'o-1', firmId: 'bytedance', sku: 'H200', quantity: 1_000 }))
        .then(placed);
    });
  });

  describe('when the order id is taken', () => {
    it('refuses with ORDER_ALREADY_EXISTS', () => {
      given(...registered, placed)
        .when(place({ orderId: 'o-1', firmId: 'bytedance', sku: 'H200', quantity: 5 }))
        .thenThrows('ORDER_ALREADY_EXISTS');
    });
  });

  describe('when the firm is unknown', () => {
    it('refuses with FIRM_NOT_FOUND', () => {
      given(...registered)
        .when(place({ orderId: 'o-1', firmId: 'tencent', sku: 'H200', quantity: 1_000 }))
        .thenThrows('FIRM_NOT_FOUND');
    });
  });

  describe('when the product is unknown', () => {
    it('refuses with PRODUCT_NOT_FOUND', () => {
      given(...registered)
        .when(place({ orderId: 'o-1', firmId: 'bytedance', sku: 'B200', quantity: 1_000 }))
        .thenThrows('PRODUCT_NOT_FOUND');
    });
  });

  describe('when the product is domestic', () => {
    it('refuses with ORIGIN_MISMATCH', () => {
      given(...registered)
        .when(place({ orderId: 'o-1', firmId: 'bytedance', sku: 'ASCEND-910C', quantity: 1_000 }))
        .thenThrows('ORIGIN_MISMATCH');
    });
  });

  describe('when the quantity is not a whole number from 1 to 100,000,000', () => {
    it.each([0, -5, 2.5, 100_000_001])('refuses %p with INVALID_INPUT', (quantity) => {
      given(...registered)
        .when(place({ orderId: 'o-1', firmId: 'bytedance', sku: 'H200', quantity }))
        .thenThrows('INVALID_INPUT');
    });

    it('accepts 100,000,000', () => {
      given(...registered)
        .when(place({ orderId: 'o-1', firmId: 'bytedance', sku: 'H200', quantity: 100_000_000 }))
        .then(orderPlaced({ orderId: 'o-1', firmId: 'bytedance', sku: 'H200', quantity: 100_000_000 }));
    });
  });
});

describe('CancelOrder', () => {
  const cancel = (orderId: string) => (history: History) =>
    decideCancelOrder(
      { type: 'CancelOrder', data: { orderId, reason: 'withdrawn by the buyer' } },
      history.order(orderId),
    );

  describe('when nothing has shipped', () => {
    it('cancels the whole order', () => {
      given(...registered, placed)
        .when(cancel('o-1'))
        .then(orderCancelled('o-1', 1_000));
    });
  });

  describe('when 300 of 1,000 units have shipped', () => {
    it('cancels the unshipped 700', () => {
      given(...registered, placed, shipped('s-1', 100), shipped('s-2', 200))
        .when(cancel('o-1'))
        .then(orderCancelled('o-1', 700));
    });
  });

  describe('when every unit has shipped', () => {
    it('refuses with ORDER_FULFILLED', () => {
      given(...registered, placed, shipped('s-1', 1_000))
        .when(cancel('o-1'))
        .thenThrows('ORDER_FULFILLED');
    });
  });

  describe('when the order is cancelled', () => {
    it('refuses with ORDER_ALREADY_CANCELLED', () => {
      given(...registered, placed, orderCancelled('o-1', 1_000))
        .when(cancel('o-1'))
        .thenThrows('ORDER_ALREADY_CANCELLED');
    });
  });

  describe('when the order does not exist', () => {
    it('refuses with ORDER_NOT_FOUND', () => {
      given(...registered)
        .when(cancel('o-1'))
        .thenThrows('ORDER_NOT_FOUND');
    });
  });
});

describe('an order folded from its stream', () => {
  it('counts what shipped and what was cancelled; a delivery changes neither', () => {
    const order = historyOf([
      placed,
      shipped('s-1', 100),
      shipped('s-2', 200),
      shipmentDelivered('s-2', 'o-1'),
      orderCancelled('o-1', 700),
    ]).order('o-1');

    expect(order).toMatchObject({ status: 'cancelled', quantity: 1_000, shipped: 300, cancelled: 700 });
    if (order.status === 'none') throw new Error('the order was placed');
    expect(outstandingOf(order)).toBe(0);
  });
});
