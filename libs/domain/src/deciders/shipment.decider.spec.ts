import type { ReleaseShipment } from '../commands.js';
import type { ErrorCode } from '../errors.js';
import type { LedgerEvent, QuotaDraw } from '../events.js';
import { given, type History } from '../testing/decider-spec.js';
import {
  approvalGranted,
  approvalRevoked,
  domesticPurchaseRecorded,
  firmRegistered,
  importsBlocked,
  importsUnblocked,
  licenseGranted,
  licenseRevoked,
  orderCancelled,
  orderPlaced,
  pairingRatioSet,
  productRegistered,
  shipmentDelivered,
  shipmentReleased,
  supplyRecorded,
} from '../testing/event-builders.js';
import { decideDeliverShipment, decideReleaseShipment } from './shipment.decider.js';

const NOW = new Date('2026-03-01T12:00:00.000Z');

const registrations = [
  productRegistered('H200', 'foreign'),
  productRegistered('H20', 'foreign'),
  productRegistered('ASCEND-910C', 'domestic'),
  productRegistered('ASCEND-910B', 'domestic'),
  firmRegistered('bytedance'),
  firmRegistered('alibaba'),
];
const license = licenseGranted('lic-1', 'H200');
const approval = approvalGranted({ approvalId: 'a-1', firmId: 'bytedance', sku: 'H200', quota: 1_000 });
const supply = supplyRecorded('sup-1', 'H200', 10_000);
const order = orderPlaced({ orderId: 'o-1', firmId: 'bytedance', sku: 'H200', quantity: 10_000 });

/** bytedance has ordered 10,000 H200 and may take 1,000 of them: licensed, approved, supplied, no pairing. */
const ready = [...registrations, license, approval, supply, order];

/** Reads the streams as a handler would: the order first, then its product and firm. */
function releasing(quantity: number, { shipmentId = 's-new', orderId = 'o-1' } = {}) {
  const command: ReleaseShipment = { type: 'ReleaseShipment', data: { shipmentId, orderId, quantity } };
  return (history: History) => {
    const placed = history.order(orderId);
    const { sku, firmId } = placed.status === 'none' ? { sku: 'H200', firmId: 'bytedance' } : placed;
    return decideReleaseShipment(
      command,
      history.shipment(shipmentId),
      placed,
      history.product(sku),
      history.firm(firmId),
      NOW,
    );
  };
}

function released(quantity: number, drawnFrom: QuotaDraw[], shipmentId = 's-new') {
  return shipmentReleased({
    shipmentId,
    orderId: 'o-1',
    firmId: 'bytedance',
    sku: 'H200',
    quantity,
    drawnFrom,
  });
}

function releasedToAlibaba(quantity: number) {
  return shipmentReleased({
    shipmentId: 's-alibaba',
    orderId: 'o-alibaba',
    firmId: 'alibaba',
    sku: 'H200',
    quantity,
    drawnFrom: [{ approvalId: 'a-alibaba', quantity }],
  });
}

describe('ReleaseShipment', () => {
  describe('when every rule holds', () => {
    it('releases the shipment to the order, drawing from the approval', () => {
      given(...ready)
        .when(releasing(100))
        .then(released(100, [{ approvalId: 'a-1', quantity: 100 }]));
    });
  });

  describe('when the shipment id is taken', () => {
    it('refuses with SHIPMENT_ALREADY_EXISTS', () => {
      given(...ready, released(100, [{ approvalId: 'a-1', quantity: 100 }], 's-1'))
        .when(releasing(100, { shipmentId: 's-1' }))
        .thenThrows('SHIPMENT_ALREADY_EXISTS');
    });
  });

  describe('when the command is malformed', () => {
    it('refuses with INVALID_INPUT, naming every failing field', () => {
      const refusal = given(...ready)
        .when(releasing(0.5, { shipmentId: 'ship ment' }))
        .thenThrows('INVALID_INPUT');
      expect(refusal.details).toEqual({
        fields: [
          expect.objectContaining({ field: 'shipmentId' }),
          expect.objectContaining({ field: 'quantity' }),
        ],
      });
    });
  });

  describe('rule 1: the order', () => {
    describe('when the order does not exist', () => {
      it('refuses with ORDER_NOT_FOUND', () => {
        given(...ready)
          .when(releasing(100, { orderId: 'o-unknown' }))
          .thenThrows('ORDER_NOT_FOUND');
      });
    });

    describe('when the order is cancelled', () => {
      it('refuses with ORDER_CANCELLED', () => {
        given(...ready, orderCancelled('o-1', 10_000))
          .when(releasing(100))
          .thenThrows('ORDER_CANCELLED');
      });
    });
  });

  describe('rule 2: the backlog', () => {
    const partlyShipped = [
      ...ready,
      orderPlaced({ orderId: 'o-2', firmId: 'bytedance', sku: 'H200', quantity: 500 }),
      shipmentReleased({
        shipmentId: 's-1',
        orderId: 'o-2',
        firmId: 'bytedance',
        sku: 'H200',
        quantity: 100,
        drawnFrom: [{ approvalId: 'a-1', quantity: 100 }],
      }),
    ];

    describe('when the order has 400 units outstanding', () => {
      it('releases exactly 400', () => {
        given(...partlyShipped)
          .when(releasing(400, { orderId: 'o-2' }))
          .then(
            shipmentReleased({
              shipmentId: 's-new',
              orderId: 'o-2',
              firmId: 'bytedance',
              sku: 'H200',
              quantity: 400,
              drawnFrom: [{ approvalId: 'a-1', quantity: 400 }],
            }),
          );
      });

      it('refuses 401 with QUANTITY_EXCEEDS_BACKLOG', () => {
        const refusal = given(...partlyShipped)
          .when(releasing(401, { orderId: 'o-2' }))
          .thenThrows('QUANTITY_EXCEEDS_BACKLOG');
        expect(refusal.details).toEqual({ outstanding: 400, requested: 401 });
      });
    });

    describe('when the order is fully shipped', () => {
      it('refuses even one unit with QUANTITY_EXCEEDS_BACKLOG', () => {
        given(
          ...ready,
          orderPlaced({ orderId: 'o-2', firmId: 'bytedance', sku: 'H200', quantity: 100 }),
          shipmentReleased({
            shipmentId: 's-1',
            orderId: 'o-2',
            firmId: 'bytedance',
            sku: 'H200',
            quantity: 100,
            drawnFrom: [{ approvalId: 'a-1', quantity: 100 }],
          }),
        )
          .when(releasing(1, { orderId: 'o-2' }))
          .thenThrows('QUANTITY_EXCEEDS_BACKLOG');
      });
    });
  });

  describe('rule 3: the import block', () => {
    describe('when imports of the sku are blocked', () => {
      it('refuses with IMPORTS_BLOCKED', () => {
        given(...ready, importsBlocked('H200'))
          .when(releasing(100))
          .thenThrows('IMPORTS_BLOCKED');
      });
    });

    describe('when the block has been lifted', () => {
      it('releases', () => {
        given(...ready, importsBlocked('H200'), importsUnblocked('H200'))
          .when(releasing(100))
          .then(released(100, [{ approvalId: 'a-1', quantity: 100 }]));
      });
    });

    describe('when only another sku is blocked', () => {
      it('releases', () => {
        given(...ready, importsBlocked('H20'))
          .when(releasing(100))
          .then(released(100, [{ approvalId: 'a-1', quantity: 100 }]));
      });
    });
  });

  describe('rule 4: the export license', () => {
    const unlicensed = [...registrations, approval, supply, order];

    describe('when no license was granted', () => {
      it('refuses with NO_EXPORT_LICENSE', () => {
        given(...unlicensed)
          .when(releasing(100))
          .thenThrows('NO_EXPORT_LICENSE');
      });
    });

    describe('when the only license is for another sku', () => {
      it('refuses with NO_EXPORT_LICENSE', () => {
        given(...unlicensed, licenseGranted('lic-h20', 'H20'))
          .when(releasing(100))
          .thenThrows('NO_EXPORT_LICENSE');
      });
    });

    describe('when the only license is revoked', () => {
      it('refuses with NO_EXPORT_LICENSE', () => {
        given(...ready, licenseRevoked('lic-1', 'H200'))
          .when(releasing(100))
          .thenThrows('NO_EXPORT_LICENSE');
      });
    });

    describe('when one license is revoked and another is active', () => {
      it('releases', () => {
        given(...ready, licenseRevoked('lic-1', 'H200'), licenseGranted('lic-2', 'H200'))
          .when(releasing(100))
          .then(released(100, [{ approvalId: 'a-1', quantity: 100 }]));
      });
    });

    describe('when the license expires', () => {
      it('releases a millisecond before validUntil', () => {
        given(...unlicensed, licenseGranted('lic-1', 'H200', '2026-03-01T12:00:00.001Z'))
          .when(releasing(100))
          .then(released(100, [{ approvalId: 'a-1', quantity: 100 }]));
      });

      it('refuses with NO_EXPORT_LICENSE at validUntil itself', () => {
        given(...unlicensed, licenseGranted('lic-1', 'H200', '2026-03-01T12:00:00Z'))
          .when(releasing(100))
          .thenThrows('NO_EXPORT_LICENSE');
      });

      it('compares instants, whatever the zone they are written in', () => {
        given(...unlicensed, licenseGranted('lic-1', 'H200', '2026-03-01T13:00:00+01:00'))
          .when(releasing(100))
          .thenThrows('NO_EXPORT_LICENSE');
      });
    });
  });

  describe('rule 5: the approved quota', () => {
    const unapproved = [...registrations, license, supply, order];

    describe('when the firm has no approval', () => {
      it('refuses with NO_APPROVAL', () => {
        given(...unapproved)
          .when(releasing(100))
          .thenThrows('NO_APPROVAL');
      });
    });

    describe('when the firm is approved only for another sku', () => {
      it('refuses with NO_APPROVAL', () => {
        given(
          ...unapproved,
          approvalGranted({ approvalId: 'a-h20', firmId: 'bytedance', sku: 'H20', quota: 1_000 }),
        )
          .when(releasing(100))
          .thenThrows('NO_APPROVAL');
      });
    });

    describe('when only another firm is approved for the sku', () => {
      it('refuses with NO_APPROVAL', () => {
        given(
          ...unapproved,
          approvalGranted({ approvalId: 'a-ali', firmId: 'alibaba', sku: 'H200', quota: 1_000 }),
        )
          .when(releasing(100))
          .thenThrows('NO_APPROVAL');
      });
    });

    describe("when the firm's only approval is revoked", () => {
      it('refuses with NO_APPROVAL', () => {
        given(
          ...ready,
          approvalRevoked({ approvalId: 'a-1', firmId: 'bytedance', sku: 'H200', voidedQuota: 1_000 }),
        )
          .when(releasing(100))
          .thenThrows('NO_APPROVAL');
      });
    });

    describe('when 400 units of quota remain', () => {
      const partlyDrawn = [...ready, released(600, [{ approvalId: 'a-1', quantity: 600 }], 's-1')];

      it('releases exactly 400', () => {
        given(...partlyDrawn)
          .when(releasing(400))
          .then(released(400, [{ approvalId: 'a-1', quantity: 400 }]));
      });

      it('refuses 401 with QUOTA_EXCEEDED', () => {
        const refusal = given(...partlyDrawn)
          .when(releasing(401))
          .thenThrows('QUOTA_EXCEEDED');
        expect(refusal.details).toEqual({ remainingQuota: 400, requested: 401 });
      });
    });

    describe('when the quota is used up', () => {
      it('refuses with QUOTA_EXCEEDED', () => {
        given(...ready, released(1_000, [{ approvalId: 'a-1', quantity: 1_000 }], 's-1'))
          .when(releasing(1))
          .thenThrows('QUOTA_EXCEEDED');
      });
    });

    describe('when the firm holds two approvals, of 600 and then 400', () => {
      const twoApprovals = [
        ...unapproved,
        approvalGranted({ approvalId: 'a-1', firmId: 'bytedance', sku: 'H200', quota: 600 }),
        approvalGranted({
          approvalId: 'a-2',
          batchId: 'batch-2',
          firmId: 'bytedance',
          sku: 'H200',
          quota: 400,
        }),
      ];

      it('draws from the older only, while it covers the quantity', () => {
        given(...twoApprovals)
          .when(releasing(600))
          .then(released(600, [{ approvalId: 'a-1', quantity: 600 }]));
      });

      it('draws the older empty first, then from the newer', () => {
        given(...twoApprovals)
          .when(releasing(700))
          .then(
            released(700, [
              { approvalId: 'a-1', quantity: 600 },
              { approvalId: 'a-2', quantity: 100 },
            ]),
          );
      });

      it('continues where earlier shipments stopped', () => {
        given(...twoApprovals, released(500, [{ approvalId: 'a-1', quantity: 500 }], 's-1'))
          .when(releasing(300))
          .then(
            released(300, [
              { approvalId: 'a-1', quantity: 100 },
              { approvalId: 'a-2', quantity: 200 },
            ]),
          );
      });

      it('releases their quota together, exactly', () => {
        given(...twoApprovals)
          .when(releasing(1_000))
          .then(
            released(1_000, [
              { approvalId: 'a-1', quantity: 600 },
              { approvalId: 'a-2', quantity: 400 },
            ]),
          );
      });

      it('refuses one unit more with QUOTA_EXCEEDED', () => {
        given(...twoApprovals)
          .when(releasing(1_001))
          .thenThrows('QUOTA_EXCEEDED');
      });
    });

    describe('when the older of two approvals is revoked', () => {
      const olderRevoked = [
        ...unapproved,
        approvalGranted({ approvalId: 'a-1', firmId: 'bytedance', sku: 'H200', quota: 600 }),
        approvalGranted({ approvalId: 'a-2', firmId: 'bytedance', sku: 'H200', quota: 400 }),
        approvalRevoked({ approvalId: 'a-1', firmId: 'bytedance', sku: 'H200', voidedQuota: 600 }),
      ];

      it('draws from the newer only', () => {
        given(...olderRevoked)
          .when(releasing(300))
          .then(released(300, [{ approvalId: 'a-2', quantity: 300 }]));
      });

      it('does not count the revoked quota', () => {
        given(...olderRevoked)
          .when(releasing(401))
          .thenThrows('QUOTA_EXCEEDED');
      });
    });
  });

  describe('rule 6: the pairing ratio', () => {
    const purchase = (quantity: number, purchaseId = 'p-1', firmId = 'bytedance', sku = 'ASCEND-910C') =>
      domesticPurchaseRecorded({ purchaseId, firmId, sku, quantity });

    describe('when no ratio is set', () => {
      it('releases without domestic purchases', () => {
        given(...ready)
          .when(releasing(1_000))
          .then(released(1_000, [{ approvalId: 'a-1', quantity: 1_000 }]));
      });
    });

    describe('when the ratio is 0', () => {
      it('never refuses for pairing', () => {
        given(...ready, pairingRatioSet('H200', 0))
          .when(releasing(1_000))
          .then(released(1_000, [{ approvalId: 'a-1', quantity: 1_000 }]));
      });
    });

    describe('when the ratio is 0.5 and the firm bought 50 domestic units', () => {
      const halfPaired = [...ready, pairingRatioSet('H200', 0.5), purchase(50)];

      it('releases 100, which need exactly 50', () => {
        given(...halfPaired)
          .when(releasing(100))
          .then(released(100, [{ approvalId: 'a-1', quantity: 100 }]));
      });

      it('refuses 101, which need 50.5 rounded up to 51, with PAIRING_SHORTFALL', () => {
        const refusal = given(...halfPaired)
          .when(releasing(101))
          .thenThrows('PAIRING_SHORTFALL');
        expect(refusal.details).toEqual({
          domesticPurchased: 50,
          domesticRequired: 51,
          domesticPerUnit: 0.5,
        });
      });

      it('counts the units already shipped to the firm', () => {
        given(...halfPaired, released(100, [{ approvalId: 'a-1', quantity: 100 }], 's-1'))
          .when(releasing(1))
          .thenThrows('PAIRING_SHORTFALL');
      });

      it('counts purchases of every domestic sku', () => {
        given(
          ...halfPaired,
          released(100, [{ approvalId: 'a-1', quantity: 100 }], 's-1'),
          purchase(50, 'p-2', 'bytedance', 'ASCEND-910B'),
        )
          .when(releasing(100))
          .then(released(100, [{ approvalId: 'a-1', quantity: 100 }]));
      });

      it("does not count other firms' purchases", () => {
        given(...halfPaired, purchase(1_000, 'p-2', 'alibaba'))
          .when(releasing(101))
          .thenThrows('PAIRING_SHORTFALL');
      });

      it('does not count units shipped to other firms', () => {
        given(...halfPaired, releasedToAlibaba(500))
          .when(releasing(100))
          .then(released(100, [{ approvalId: 'a-1', quantity: 100 }]));
      });

      it("does not apply another sku's ratio", () => {
        given(...ready, pairingRatioSet('H20', 5))
          .when(releasing(100))
          .then(released(100, [{ approvalId: 'a-1', quantity: 100 }]));
      });
    });

    describe('when the ratio is a decimal that floating point does not hold exactly', () => {
      // [ratio, foreign units, domestic units they need]; 0.07 × 100 is 7.000000000000001 in floating point.
      const cases: [number, number, number][] = [
        [0.07, 100, 7],
        [0.55, 100, 55],
        [1.1, 100, 110],
        [0.3333, 3, 1],
        [0.3333, 1_000, 334],
        [2.5, 3, 8],
      ];

      it.each(cases)(
        'at %p, releases %p units to a firm with exactly %p domestic units',
        (ratio, units, needed) => {
          given(...ready, pairingRatioSet('H200', ratio), purchase(needed))
            .when(releasing(units))
            .then(released(units, [{ approvalId: 'a-1', quantity: units }]));
        },
      );

      it.each(cases)(
        'at %p, refuses %p units to a firm with one unit fewer than %p',
        (ratio, units, needed) => {
          given(...ready, pairingRatioSet('H200', ratio), purchase(needed - 1))
            .when(releasing(units))
            .thenThrows('PAIRING_SHORTFALL');
        },
      );
    });
  });

  describe('rule 7: the supply', () => {
    const supplied500 = [
      ...registrations,
      license,
      approval,
      supplyRecorded('sup-1', 'H200', 300),
      supplyRecorded('sup-2', 'H200', 200),
      supplyRecorded('sup-h20', 'H20', 1_000),
      order,
    ];

    describe('when 500 units are supplied', () => {
      it('releases exactly 500', () => {
        given(...supplied500)
          .when(releasing(500))
          .then(released(500, [{ approvalId: 'a-1', quantity: 500 }]));
      });

      it('refuses 501 with INSUFFICIENT_SUPPLY', () => {
        const refusal = given(...supplied500)
          .when(releasing(501))
          .thenThrows('INSUFFICIENT_SUPPLY');
        expect(refusal.details).toEqual({ availableSupply: 500, requested: 501 });
      });
    });

    describe('when 200 of 500 supplied units went to another firm', () => {
      it('releases exactly the 300 left', () => {
        given(...supplied500, releasedToAlibaba(200))
          .when(releasing(300))
          .then(released(300, [{ approvalId: 'a-1', quantity: 300 }]));
      });

      it('refuses 301 with INSUFFICIENT_SUPPLY', () => {
        given(...supplied500, releasedToAlibaba(200))
          .when(releasing(301))
          .thenThrows('INSUFFICIENT_SUPPLY');
      });
    });
  });

  describe('when several rules fail, the first in order is the answer', () => {
    // Rules 2 to 7 all fail here; each step repairs the rule that answered, and the next one answers.
    const failing = [
      ...registrations,
      orderPlaced({ orderId: 'o-1', firmId: 'bytedance', sku: 'H200', quantity: 100 }),
      importsBlocked('H200'),
      pairingRatioSet('H200', 1),
    ];
    const repairs: { firstFailing: number; answer: ErrorCode; quantity: number; add: LedgerEvent[] }[] = [
      { firstFailing: 2, answer: 'QUANTITY_EXCEEDS_BACKLOG', quantity: 101, add: [] },
      { firstFailing: 3, answer: 'IMPORTS_BLOCKED', quantity: 100, add: [] },
      { firstFailing: 4, answer: 'NO_EXPORT_LICENSE', quantity: 100, add: [importsUnblocked('H200')] },
      { firstFailing: 5, answer: 'NO_APPROVAL', quantity: 100, add: [license] },
      {
        firstFailing: 5,
        answer: 'QUOTA_EXCEEDED',
        quantity: 100,
        add: [approvalGranted({ approvalId: 'a-1', firmId: 'bytedance', sku: 'H200', quota: 60 })],
      },
      {
        firstFailing: 6,
        answer: 'PAIRING_SHORTFALL',
        quantity: 100,
        add: [approvalGranted({ approvalId: 'a-2', firmId: 'bytedance', sku: 'H200', quota: 40 })],
      },
      {
        firstFailing: 7,
        answer: 'INSUFFICIENT_SUPPLY',
        quantity: 100,
        add: [
          domesticPurchaseRecorded({
            purchaseId: 'p-1',
            firmId: 'bytedance',
            sku: 'ASCEND-910C',
            quantity: 100,
          }),
        ],
      },
    ];
    const repairedUpTo = (index: number) => repairs.slice(0, index + 1).flatMap(({ add }) => add);

    repairs.forEach(({ firstFailing, answer, quantity }, index) => {
      it(`answers ${answer} when rules ${firstFailing} to 7 fail`, () => {
        given(...failing, ...repairedUpTo(index))
          .when(releasing(quantity))
          .thenThrows(answer);
      });
    });

    it('releases once the supply is repaired too', () => {
      given(...failing, ...repairedUpTo(repairs.length - 1), supplyRecorded('sup-1', 'H200', 100))
        .when(releasing(100))
        .then(
          released(100, [
            { approvalId: 'a-1', quantity: 60 },
            { approvalId: 'a-2', quantity: 40 },
          ]),
        );
    });

    it('answers ORDER_CANCELLED before QUANTITY_EXCEEDS_BACKLOG', () => {
      given(...failing, orderCancelled('o-1', 100))
        .when(releasing(101))
        .thenThrows('ORDER_CANCELLED');
    });

    it('answers SHIPMENT_ALREADY_EXISTS before any rule', () => {
      given(...failing, orderCancelled('o-1', 100), released(1, [], 's-1'))
        .when(releasing(101, { shipmentId: 's-1' }))
        .thenThrows('SHIPMENT_ALREADY_EXISTS');
    });
  });
});

describe('DeliverShipment', () => {
  const deliver = (shipmentId: string) => (history: History) =>
    decideDeliverShipment({ type: 'DeliverShipment', data: { shipmentId } }, history.shipment(shipmentId));
  const releasedS1 = released(100, [{ approvalId: 'a-1', quantity: 100 }], 's-1');

  describe('when the shipment was released', () => {
    it('delivers it, naming its order', () => {
      given(...ready, releasedS1)
        .when(deliver('s-1'))
        .then(shipmentDelivered('s-1', 'o-1'));
    });
  });

  describe('when no such shipment was released', () => {
    it('refuses with SHIPMENT_NOT_FOUND', () => {
      given(...ready)
        .when(deliver('s-1'))
        .thenThrows('SHIPMENT_NOT_FOUND');
    });
  });

  describe('when the shipment is already delivered', () => {
    it('refuses with SHIPMENT_ALREADY_DELIVERED', () => {
      given(...ready, releasedS1, shipmentDelivered('s-1', 'o-1'))
        .when(deliver('s-1'))
        .thenThrows('SHIPMENT_ALREADY_DELIVERED');
    });
  });
});
