import {
  orderCancelled,
  orderPlaced,
  productRegistered,
  shipmentDelivered,
  shipmentReleased,
} from '../../../domain/src/testing/event-builders.js';
import { ordersReadModel as orders } from './orders.read-model.js';
import { given } from './testing/read-model-spec.js';

const history = [
  productRegistered('H200', 'foreign'),
  orderPlaced({ orderId: 'o-1', firmId: 'bytedance', sku: 'H200', quantity: 100 }),
];
const release = (shipmentId: string, quantity: number, orderId = 'o-1') =>
  shipmentReleased({
    shipmentId,
    orderId,
    firmId: 'bytedance',
    sku: 'H200',
    quantity,
    drawnFrom: [{ approvalId: 'a-1', quantity }],
  });

describe('the orders read model', () => {
  it('shows a placed order open, with everything outstanding', () => {
    given(orders, productRegistered('H200', 'foreign'))
      .when(orderPlaced({ orderId: 'o-1', firmId: 'bytedance', sku: 'H200', quantity: 100 }))
      .thenRows([
        {
          orderId: 'o-1',
          firmId: 'bytedance',
          sku: 'H200',
          quantity: 100,
          shipped: 0,
          delivered: 0,
          cancelled: 0,
          outstanding: 100,
          status: 'open',
        },
      ])
      .thenKeys(['o-1']);
  });

  it('is partially shipped while some units are outstanding', () => {
    given(orders, ...history)
      .when(release('s-1', 30), release('s-2', 20))
      .thenRow('o-1', { shipped: 50, outstanding: 50, status: 'partially-shipped' });
  });

  it('is fulfilled when every unit shipped', () => {
    given(orders, ...history, release('s-1', 30))
      .when(release('s-2', 70))
      .thenRow('o-1', { shipped: 100, outstanding: 0, status: 'fulfilled' });
  });

  it('is cancelled with its cancelledQuantity, even after some units shipped', () => {
    given(orders, ...history, release('s-1', 30))
      .when(orderCancelled('o-1', 70))
      .thenRow('o-1', { shipped: 30, cancelled: 70, outstanding: 0, status: 'cancelled' });
  });

  it('counts the units of each delivered shipment', () => {
    given(orders, ...history, release('s-1', 30), release('s-2', 20))
      .when(shipmentDelivered('s-2', 'o-1'))
      .thenRow('o-1', { shipped: 50, delivered: 20 });
  });

  it('counts a delivery once, and ignores one of a shipment it does not know', () => {
    given(orders, ...history, release('s-1', 30), shipmentDelivered('s-1', 'o-1'))
      .when(shipmentDelivered('s-1', 'o-1'), shipmentDelivered('s-9', 'o-1'))
      .thenNothingChanges();
  });

  it('ignores events about orders it does not know, and an order id placed twice', () => {
    given(orders, ...history)
      .when(
        orderCancelled('o-9', 5),
        release('s-1', 5, 'o-9'),
        orderPlaced({ orderId: 'o-1', firmId: 'alibaba', sku: 'H200', quantity: 7 }),
      )
      .thenNothingChanges();
  });

  it('changes only the order an event is about', () => {
    given(orders, ...history, orderPlaced({ orderId: 'o-2', firmId: 'alibaba', sku: 'H200', quantity: 5 }))
      .when(release('s-1', 5, 'o-2'))
      .thenRow('o-2', { status: 'fulfilled' })
      .thenUntouchedRow('o-1', { status: 'open' })
      .thenKeys(['o-2']);
  });
});
