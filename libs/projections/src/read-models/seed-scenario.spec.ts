import {
  SEED_BATCH_1_QUOTAS,
  SEED_BATCH_ID,
  SEED_H200_ORDERS,
  seedIds,
  seedScenario,
} from '@ledger/commands';
import type { ProjectedEvent } from '../read-model.js';
import { allocationsReadModel } from './allocations.read-model.js';
import { approvalBatchesReadModel } from './approval-batches.read-model.js';
import { backlogReadModel, backlogTotal } from './backlog.read-model.js';
import { ordersReadModel } from './orders.read-model.js';
import { seedHistory } from './testing/histories.js';
import { fold } from './testing/read-model-spec.js';

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

describe('the read models after the seed scenario', () => {
  let events: ProjectedEvent[];

  beforeAll(async () => {
    const seed = await seedHistory();
    // The history is the seed's: each step accepted or refused as the scenario says.
    expect(seed.outcomes).toEqual(seedScenario.map((step) => step.refusedWith));
    events = seed.events;
  });

  describe('the backlog', () => {
    const rows = () => backlogReadModel.rows(fold(backlogReadModel, events).state);

    it('shows more than 2,000,000 H200 ordered, more than 400,000 approved, the rest awaiting approval', () => {
      const h200 = rows().find((row) => row.sku === 'H200')!;
      expect(h200.ordered).toBe(sum(Object.values(SEED_H200_ORDERS)));
      expect(h200.ordered).toBeGreaterThan(2_000_000);
      expect(h200.approvedQuota).toBe(sum(Object.values(SEED_BATCH_1_QUOTAS)));
      expect(h200.approvedQuota).toBeGreaterThan(400_000);
      expect(h200.unapprovedBacklog).toBe(h200.ordered - h200.approvedQuota);
      expect(h200.awaitingApproval).toBe(
        SEED_H200_ORDERS.baidu + SEED_H200_ORDERS.kuaishou + SEED_H200_ORDERS.deepseek,
      );
      expect(h200.firmsApproved).toEqual(['alibaba', 'bytedance', 'tencent']);
      expect(h200.firmsWaiting).toEqual(['baidu', 'deepseek', 'kuaishou']);
    });

    it('shows what shipped, what quota and supply are left, and an open, licensed sku', () => {
      expect(rows().find((row) => row.sku === 'H200')).toMatchObject({
        shipped: 200_000,
        cancelled: 0,
        backlog: 1_850_000,
        approvedRemaining: 220_000,
        supplyAvailable: 10_000,
        importsBlocked: false,
        licenseActive: true,
        licenseValidUntil: null,
      });
    });

    it('has a row for each foreign product, none for the domestic one, and the total of them', () => {
      expect(rows().map((row) => row.sku)).toEqual(['H20', 'H200']);
      expect(rows().find((row) => row.sku === 'H20')).toMatchObject({ ordered: 0, licenseActive: false });
      expect(backlogTotal(rows())).toMatchObject({
        sku: '*',
        ordered: 2_050_000,
        approvedQuota: 420_000,
        awaitingApproval: 600_000,
        licenseActive: true,
      });
    });
  });

  describe('the allocations', () => {
    const row = (firmId: string) =>
      allocationsReadModel.row(fold(allocationsReadModel, events).state, `${firmId}/H200`);

    it('show each approved firm’s quota, shipments and pairing', () => {
      expect(row('bytedance')).toEqual({
        firmId: 'bytedance',
        sku: 'H200',
        ordered: 600_000,
        cancelled: 0,
        shipped: 130_000,
        backlog: 470_000,
        approvedQuota: 180_000,
        remainingQuota: 50_000,
        unapprovedBacklog: 420_000,
        domesticPurchased: 30_000,
        domesticRequired: 26_000,
        status: 'approved',
      });
      expect(row('tencent')).toMatchObject({
        shipped: 20_000,
        domesticPurchased: 12_000,
        domesticRequired: 4_000,
      });
    });

    it('show the firms without approval awaiting it', () => {
      for (const firmId of ['baidu', 'kuaishou', 'deepseek'] as const) {
        expect(row(firmId)).toMatchObject({
          backlog: SEED_H200_ORDERS[firmId],
          unapprovedBacklog: SEED_H200_ORDERS[firmId],
          status: 'awaiting-approval',
        });
      }
    });
  });

  it('shows batch 1 with its three firms and the quota they used', () => {
    const state = fold(approvalBatchesReadModel, events).state;
    expect(approvalBatchesReadModel.rows(state)).toMatchObject([
      {
        batchId: SEED_BATCH_ID,
        firms: ['alibaba', 'bytedance', 'tencent'],
        quota: 420_000,
        used: 200_000,
        remaining: 220_000,
        voided: 0,
      },
    ]);
    expect(approvalBatchesReadModel.row(state, SEED_BATCH_ID)?.approvals[1]).toEqual({
      approvalId: seedIds.approval('bytedance'),
      firmId: 'bytedance',
      sku: 'H200',
      quota: 180_000,
      used: 130_000,
      remaining: 50_000,
      status: 'active',
    });
  });

  it('shows each order, ByteDance’s partly shipped and partly delivered', () => {
    const state = fold(ordersReadModel, events).state;
    expect(ordersReadModel.rows(state)).toHaveLength(6);
    expect(ordersReadModel.row(state, seedIds.order('bytedance'))).toMatchObject({
      quantity: 600_000,
      shipped: 130_000,
      delivered: 80_000,
      outstanding: 470_000,
      status: 'partially-shipped',
    });
    expect(ordersReadModel.row(state, seedIds.order('baidu'))).toMatchObject({ shipped: 0, status: 'open' });
  });
});
