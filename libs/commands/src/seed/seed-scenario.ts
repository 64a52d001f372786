import type { ErrorCode, LedgerCommand } from '@ledger/domain';

/**
 * One step of the seed: a command as an admin would send it, what it shows, and, for a step that is
 * meant to be refused, the code it must be refused with (absent: it must be accepted).
 */
export interface SeedStep {
  description: string;
  command: LedgerCommand;
  refusedWith?: ErrorCode;
}

/** The firms of the story. The first three are batch 1; the others ordered and are still waiting. */
export const SEED_FIRMS = [
  { firmId: 'bytedance', name: 'ByteDance' },
  { firmId: 'alibaba', name: 'Alibaba' },
  { firmId: 'tencent', name: 'Tencent' },
  { firmId: 'baidu', name: 'Baidu' },
  { firmId: 'kuaishou', name: 'Kuaishou' },
  { firmId: 'deepseek', name: 'DeepSeek' },
] as const;

export type SeedFirmId = (typeof SEED_FIRMS)[number]['firmId'];

/** H200 units each firm ordered: 2,050,000 together ("more than two million"). */
export const SEED_H200_ORDERS: Readonly<Record<SeedFirmId, number>> = {
  bytedance: 600_000,
  alibaba: 450_000,
  tencent: 400_000,
  baidu: 250_000,
  kuaishou: 200_000,
  deepseek: 150_000,
};

/** Batch 1: 420,000 H200 for ByteDance, Alibaba and Tencent together ("more than 400,000"). */
export const SEED_BATCH_1_QUOTAS = { bytedance: 180_000, alibaba: 130_000, tencent: 110_000 } as const;

export const SEED_BATCH_ID = 'cn-h200-batch-1';
export const SEED_PAIRING_RATIO = 0.2;

// Figures are illustrative where the article is vague; the invariants (orders > 2,000,000, batch 1
// > 400,000, inventory far below the orders) are checked by seed-scenario.spec.ts.

const H200 = 'H200';
const ASCEND = 'ASCEND-910C';
const n = (quantity: number) => quantity.toLocaleString('en-US');
const nameOf = (firmId: SeedFirmId) => SEED_FIRMS.find((firm) => firm.firmId === firmId)!.name;

export const seedIds = {
  order: (firmId: SeedFirmId) => `order-${firmId}-h200-1`,
  approval: (firmId: SeedFirmId) => `approval-${SEED_BATCH_ID}-${firmId}`,
  shipment: (firmId: SeedFirmId, index: number) => `ship-${firmId}-h200-${index}`,
  purchase: (firmId: SeedFirmId, index: number) => `ascend-${firmId}-${index}`,
  supply: (index: number) => `nvidia-h200-inventory-${index}`,
  license: 'us-export-h200-cn-1',
};

function refused(code: ErrorCode, step: SeedStep): SeedStep {
  return { ...step, refusedWith: code };
}

function release(firmId: SeedFirmId, index: number, quantity: number, description: string): SeedStep {
  return {
    description,
    command: {
      type: 'ReleaseShipment',
      data: { shipmentId: seedIds.shipment(firmId, index), orderId: seedIds.order(firmId), quantity },
    },
  };
}

function domesticPurchase(firmId: SeedFirmId, index: number, quantity: number): SeedStep {
  return {
    description: `${nameOf(firmId)} buys ${n(quantity)} Huawei Ascend 910C`,
    command: {
      type: 'RecordDomesticPurchase',
      data: { purchaseId: seedIds.purchase(firmId, index), firmId, sku: ASCEND, quantity },
    },
  };
}

function supply(index: number, quantity: number, description: string): SeedStep {
  return {
    description,
    command: { type: 'RecordSupply', data: { supplyId: seedIds.supply(index), sku: H200, quantity } },
  };
}

/**
 * PRODUCT.md's seed scenario, in the order the story tells it. Run on an empty ledger it is accepted
 * and refused exactly as each step says; on a ledger that already holds any of it, its first step is
 * refused (PRODUCT_ALREADY_REGISTERED).
 */
export const seedScenario: readonly SeedStep[] = [
  {
    description: 'Register the Nvidia H200 (foreign)',
    command: {
      type: 'RegisterProduct',
      data: { sku: H200, name: 'Nvidia H200', vendor: 'Nvidia', origin: 'foreign' },
    },
  },
  {
    description: 'Register the Nvidia H20 (foreign)',
    command: {
      type: 'RegisterProduct',
      data: { sku: 'H20', name: 'Nvidia H20', vendor: 'Nvidia', origin: 'foreign' },
    },
  },
  {
    description: 'Register the Huawei Ascend 910C (domestic)',
    command: {
      type: 'RegisterProduct',
      data: { sku: ASCEND, name: 'Huawei Ascend 910C', vendor: 'Huawei', origin: 'domestic' },
    },
  },
  ...SEED_FIRMS.map(({ firmId, name }): SeedStep => ({
    description: `Register ${name}`,
    command: { type: 'RegisterFirm', data: { firmId, name, jurisdiction: 'CN' } },
  })),
  {
    description: 'Chinese customs block H200 imports',
    command: {
      type: 'BlockImports',
      data: { sku: H200, reason: 'Chinese customs authorities prohibit H200 imports' },
    },
  },
  {
    description: 'The US grants Nvidia an export license for H200 to China',
    command: {
      type: 'GrantExportLicense',
      data: { licenseId: seedIds.license, sku: H200, vendor: 'Nvidia', destination: 'CN' },
    },
  },
  ...SEED_FIRMS.map(({ firmId, name }): SeedStep => ({
    description: `${name} orders ${n(SEED_H200_ORDERS[firmId])} H200`,
    command: {
      type: 'PlaceOrder',
      data: { orderId: seedIds.order(firmId), firmId, sku: H200, quantity: SEED_H200_ORDERS[firmId] },
    },
  })),
  ...(Object.entries(SEED_BATCH_1_QUOTAS) as [SeedFirmId, number][]).map(([firmId, quota]): SeedStep => ({
    description: `Batch 1 approves ${nameOf(firmId)} for ${n(quota)} H200`,
    command: {
      type: 'GrantApproval',
      data: { approvalId: seedIds.approval(firmId), batchId: SEED_BATCH_ID, firmId, sku: H200, quota },
    },
  })),
  refused(
    'IMPORTS_BLOCKED',
    release('bytedance', 1, 10_000, 'Release 10,000 H200 to ByteDance while customs still block them'),
  ),
  {
    description: 'Customs lift the H200 import block',
    command: {
      type: 'UnblockImports',
      data: { sku: H200, reason: 'Beijing approves a first batch of H200 buyers' },
    },
  },
  {
    description: `Regulators pair every imported H200 with ${SEED_PAIRING_RATIO} domestic chips`,
    command: { type: 'SetPairingRatio', data: { sku: H200, domesticPerUnit: SEED_PAIRING_RATIO } },
  },
  domesticPurchase('bytedance', 1, 30_000),
  domesticPurchase('alibaba', 1, 14_000),
  domesticPurchase('tencent', 1, 4_000),
  refused('ORIGIN_MISMATCH', {
    description: 'Record Alibaba buying 5,000 H20 as a domestic purchase',
    command: {
      type: 'RecordDomesticPurchase',
      data: { purchaseId: 'h20-alibaba-1', firmId: 'alibaba', sku: 'H20', quantity: 5_000 },
    },
  }),
  supply(1, 150_000, 'Nvidia makes 150,000 H200 from inventory available'),
  release('bytedance', 1, 80_000, 'Release 80,000 H200 to ByteDance'),
  release('alibaba', 1, 50_000, 'Release 50,000 H200 to Alibaba'),
  refused(
    'NO_APPROVAL',
    release('baidu', 1, 10_000, 'Release 10,000 H200 to Baidu, still awaiting approval'),
  ),
  refused(
    'QUOTA_EXCEEDED',
    release('alibaba', 2, 100_000, 'Release 100,000 H200 to Alibaba, 80,000 quota left'),
  ),
  refused(
    'QUANTITY_EXCEEDS_BACKLOG',
    release('bytedance', 2, 600_000, 'Release 600,000 H200 to ByteDance, 520,000 still on order'),
  ),
  refused(
    'PAIRING_SHORTFALL',
    release('tencent', 1, 30_000, 'Release 30,000 H200 to Tencent, 4,000 of 6,000 domestic bought'),
  ),
  domesticPurchase('tencent', 2, 8_000),
  refused(
    'INSUFFICIENT_SUPPLY',
    release('tencent', 1, 30_000, 'Release 30,000 H200 to Tencent, 20,000 left in supply'),
  ),
  release('tencent', 1, 20_000, 'Release 20,000 H200 to Tencent'),
  supply(2, 60_000, 'Nvidia makes 60,000 more H200 available'),
  release('bytedance', 2, 50_000, 'Release 50,000 more H200 to ByteDance'),
  {
    description: "ByteDance's first shipment is delivered",
    command: { type: 'DeliverShipment', data: { shipmentId: seedIds.shipment('bytedance', 1) } },
  },
];
