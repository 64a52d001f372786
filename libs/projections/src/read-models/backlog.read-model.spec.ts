import {
  approvalGranted,
  approvalRevoked,
  firmRegistered,
  importsBlocked,
  importsUnblocked,
  licenseGranted,
  licenseRevoked,
  orderCancelled,
  orderPlaced,
  productRegistered,
  shipmentReleased,
  supplyRecorded,
} from '../../../domain/src/testing/event-builders.js';
import { backlogReadModel as backlog, backlogTotal, type BacklogRow } from './backlog.read-model.js';
import { at, fold, given, project } from './testing/read-model-spec.js';

const products = [
  productRegistered('H200', 'foreign'),
  productRegistered('H20', 'foreign'),
  productRegistered('ASCEND-910C', 'domestic'),
];
const order = (orderId: string, firmId: string, quantity: number, sku = 'H200') =>
  orderPlaced({ orderId, firmId, sku, quantity });
const approval = (approvalId: string, firmId: string, quota: number) =>
  approvalGranted({ approvalId, firmId, sku: 'H200', quota });
const release = (shipmentId: string, orderId: string, firmId: string, approvalId: string, quantity: number) =>
  shipmentReleased({
    shipmentId,
    orderId,
    firmId,
    sku: 'H200',
    quantity,
    drawnFrom: [{ approvalId, quantity }],
  });

describe('the backlog read model', () => {
  describe('its rows', () => {
    it('are one per foreign product registered, empty until something happens to it', () => {
      given(backlog)
        .when(...products)
        .thenRows([emptyRow('H20'), emptyRow('H200')])
        .thenKeys(['H20', 'H200']);
    });

    it('appear for a sku registered after it was ordered, with what it was ordered', () => {
      given(backlog, order('o-1', 'baidu', 70, 'B30A'))
        .when(productRegistered('B30A', 'foreign'))
        .thenRow('B30A', { ordered: 70, firmsWaiting: ['baidu'] });
    });
  });

  describe('when firms order, are shipped to and cancel', () => {
    const history = [
      ...products,
      order('o-1', 'bytedance', 600),
      order('o-2', 'alibaba', 450),
      order('o-3', 'tencent', 5, 'H20'),
      approval('a-1', 'bytedance', 200),
    ];

    it('sums the orders, shipments and cancellations of every firm', () => {
      given(backlog, ...history)
        .when(release('s-1', 'o-1', 'bytedance', 'a-1', 150), orderCancelled('o-2', 450))
        .thenRow('H200', { ordered: 1050, shipped: 150, cancelled: 450, backlog: 450 })
        .thenUntouchedRow('H20', { ordered: 5, backlog: 5 });
    });

    it('counts the supply recorded less the units released', () => {
      given(backlog, ...history, supplyRecorded('sup-1', 'H200', 1000))
        .when(release('s-1', 'o-1', 'bytedance', 'a-1', 150), supplyRecorded('sup-2', 'H200', 20))
        .thenRow('H200', { supplyAvailable: 870 });
    });
  });

  describe('approvals', () => {
    const history = [...products, order('o-1', 'bytedance', 600), order('o-2', 'alibaba', 450)];

    it('count the quota granted and what remains of it', () => {
      given(backlog, ...history, approval('a-1', 'bytedance', 200), approval('a-2', 'tencent', 100))
        .when(release('s-1', 'o-1', 'bytedance', 'a-1', 150))
        .thenRow('H200', { approvedQuota: 300, approvedRemaining: 150 });
    });

    it('leave the backlog of firms without an active approval awaiting approval', () => {
      given(backlog, ...history)
        .when(approval('a-1', 'bytedance', 200))
        .thenRow('H200', {
          awaitingApproval: 450,
          firmsApproved: ['bytedance'],
          firmsWaiting: ['alibaba'],
        });
    });

    it('count as unapproved the backlog that no firm’s remaining quota covers', () => {
      // ByteDance: 600 on order, 200 approved → 400; Alibaba: 450, none → 450; Tencent's 700 spare covers nobody else.
      given(backlog, ...history, approval('a-1', 'bytedance', 200))
        .when(approval('a-2', 'tencent', 700))
        .thenRow('H200', {
          unapprovedBacklog: 850,
          approvedRemaining: 900,
          firmsApproved: ['bytedance', 'tencent'],
          firmsWaiting: ['alibaba'],
        });
    });

    it('put a firm back among those waiting when its approval is revoked, minus the voided quota', () => {
      given(
        backlog,
        ...history,
        approval('a-1', 'bytedance', 200),
        release('s-1', 'o-1', 'bytedance', 'a-1', 50),
      )
        .when(approvalRevoked({ approvalId: 'a-1', firmId: 'bytedance', sku: 'H200', voidedQuota: 150 }))
        .thenRow('H200', {
          approvedQuota: 50,
          approvedRemaining: 0,
          awaitingApproval: 550 + 450,
          firmsApproved: [],
          firmsWaiting: ['alibaba', 'bytedance'],
        });
    });

    it('list a firm as waiting only while it has a backlog', () => {
      given(backlog, ...history)
        .when(orderCancelled('o-2', 450))
        .thenRow('H200', { awaitingApproval: 600, firmsWaiting: ['bytedance'] });
    });
  });

  describe('imports', () => {
    it('are blocked and unblocked per sku', () => {
      given(backlog, ...products, importsBlocked('H20'))
        .when(importsBlocked('H200'), importsUnblocked('H20'))
        .thenRow('H200', { importsBlocked: true })
        .thenRow('H20', { importsBlocked: false });
    });
  });

  describe('export licenses', () => {
    const granted = at('2026-01-10T00:00:00.000Z', licenseGranted('l-1', 'H200', '2026-02-01T00:00:00.000Z'));

    it('are active once granted, until their validUntil', () => {
      given(backlog, ...products)
        .when(granted)
        .thenRow('H200', { licenseActive: true, licenseValidUntil: '2026-02-01T00:00:00.000Z' })
        .thenUntouchedRow('H20', { licenseActive: false, licenseValidUntil: null });
    });

    it('stay active for an event recorded just before the validUntil', () => {
      given(backlog, ...products, granted)
        .when(at('2026-01-31T23:59:59.999Z', firmRegistered('baidu')))
        .thenUntouchedRow('H200', { licenseActive: true });
    });

    it('expire with the first event recorded at or after the validUntil, which returns the sku', () => {
      given(backlog, ...products, granted)
        .when(at('2026-02-01T00:00:00.000Z', firmRegistered('baidu')))
        .thenRow('H200', { licenseActive: false, licenseValidUntil: null })
        .thenKeys(['H200']);
    });

    it('do not come back when a later event is recorded with an earlier time', () => {
      given(backlog, ...products, granted, at('2026-02-02T00:00:00.000Z', firmRegistered('baidu')))
        .when(at('2026-01-20T00:00:00.000Z', firmRegistered('tencent')))
        .thenUntouchedRow('H200', { licenseActive: false });
    });

    it('are not active when granted already expired', () => {
      given(backlog, ...products)
        .when(at('2026-03-01T00:00:00.000Z', licenseGranted('l-1', 'H200', '2026-02-01T00:00:00.000Z')))
        .thenRow('H200', { licenseActive: false });
    });

    it('end when revoked', () => {
      given(backlog, ...products, granted)
        .when(licenseRevoked('l-1', 'H200'))
        .thenRow('H200', { licenseActive: false, licenseValidUntil: null });
    });

    it('show the latest validUntil among active licenses, or none when one never expires', () => {
      const later = licenseGranted('l-2', 'H200', '2026-06-01T00:00:00.000Z');
      given(backlog, ...products, granted)
        .when(later)
        .thenRow('H200', { licenseValidUntil: '2026-06-01T00:00:00.000Z' });
      given(backlog, ...products, granted, later)
        .when(licenseGranted('l-3', 'H200'))
        .thenRow('H200', { licenseActive: true, licenseValidUntil: null });
    });

    it('compare instants written with an offset by the moment they name', () => {
      const offset = at(
        '2026-01-10T00:00:00.000Z',
        licenseGranted('l-1', 'H200', '2026-02-01T08:00:00+08:00'),
      );
      given(backlog, ...products, offset)
        .when(at('2026-02-01T01:00:00+01:00', firmRegistered('baidu')))
        .thenRow('H200', { licenseActive: false })
        .thenKeys(['H200']);
      given(backlog, ...products, offset)
        .when(at('2026-02-01T00:59:59.999+01:00', firmRegistered('baidu')))
        .thenUntouchedRow('H200', { licenseActive: true });
    });

    it('are never active with an unreadable validUntil, as in the domain', () => {
      given(backlog, ...products)
        .when(licenseGranted('l-1', 'H200', 'someday'))
        .thenRow('H200', { licenseActive: false });
    });

    it('do not expire a revoked license twice', () => {
      given(backlog, ...products, granted, licenseRevoked('l-1', 'H200'))
        .when(at('2026-02-05T00:00:00.000Z', firmRegistered('baidu')))
        .thenNothingChanges();
    });
  });

  describe('the total', () => {
    it('sums the skus, and unites their firm lists', () => {
      const history = project([
        ...products,
        order('o-1', 'bytedance', 600),
        order('o-2', 'alibaba', 10, 'H20'),
        order('o-3', 'bytedance', 20, 'H20'),
        approval('a-1', 'bytedance', 100),
        supplyRecorded('sup-1', 'H20', 7),
        importsBlocked('H20'),
      ]);
      const rows = backlog.rows(fold(backlog, history).state);
      expect(backlogTotal(rows)).toEqual({
        sku: '*',
        ordered: 630,
        shipped: 0,
        cancelled: 0,
        backlog: 630,
        approvedQuota: 100,
        approvedRemaining: 100,
        unapprovedBacklog: 530,
        awaitingApproval: 30,
        supplyAvailable: 7,
        importsBlocked: true,
        licenseActive: false,
        licenseValidUntil: null,
        firmsApproved: ['bytedance'],
        firmsWaiting: ['alibaba', 'bytedance'],
      });
    });

    it('is all zero over no rows', () => {
      expect(backlogTotal([])).toMatchObject({ sku: '*', ordered: 0, firmsApproved: [], firmsWaiting: [] });
    });
  });
});

function emptyRow(sku: string): BacklogRow {
  return {
    sku,
    ordered: 0,
    shipped: 0,
    cancelled: 0,
    backlog: 0,
    approvedQuota: 0,
    approvedRemaining: 0,
    unapprovedBacklog: 0,
    awaitingApproval: 0,
    supplyAvailable: 0,
    importsBlocked: false,
    licenseActive: false,
    licenseValidUntil: null,
    firmsApproved: [],
    firmsWaiting: [],
  };
}
