import { randomUUID } from 'node:crypto';
import { isDomainError, type ErrorCode, type LedgerCommand, type LedgerCommandType } from '@ledger/domain';
import type { CommandContext, CommandExecutor } from '../command-executor.js';
import { seedScenario, type SeedStep } from './seed-scenario.js';

/** What happened to a step: the executor's answer, or `skipped` when the run stopped before it. */
export type SeedOutcome = 'accepted' | 'refused' | 'failed' | 'skipped';

export interface SeedStepResult {
  /** 1-based, in scenario order. */
  step: number;
  description: string;
  commandType: LedgerCommandType;
  commandId: string;
  /** `accepted`, or the code the step is meant to be refused with. */
  expected: 'accepted' | ErrorCode;
  outcome: SeedOutcome;
  /** The ledger position of the appended event (accepted steps). */
  position?: number;
  /** The refusal's code (refused steps), or the error's name (failed steps). */
  code?: string;
  message?: string;
  asExpected: boolean;
}

/** One foreign sku, from the commands this run had accepted. */
export interface SkuTotals {
  ordered: number;
  approvedQuota: number;
  supplied: number;
  shipped: number;
  /** Ordered by firms that hold no approval for the sku. */
  awaitingApproval: number;
  firmsApproved: string[];
  firmsAwaiting: string[];
}

export interface SeedTotals {
  /** By sku, for each foreign sku that was ordered, approved or supplied. */
  foreign: Record<string, SkuTotals>;
  /** Domestic units purchased, by sku. */
  domesticPurchased: Record<string, number>;
}

export interface SeedReport {
  /** The correlation id in the metadata of every event this run appended. */
  correlationId: string;
  steps: SeedStepResult[];
  accepted: number;
  refused: number;
  /** The ledger position of the last event this run appended; 0 when it appended none. */
  position: number;
  /** The run stopped here: a step did not end as expected (or the run was aborted); the rest were skipped. */
  halted: { step: number; reason: string } | null;
  /** Every step ran and ended as expected. */
  ok: boolean;
  totals: SeedTotals;
}

export interface RunSeedOptions {
  /** Default: PRODUCT.md's scenario. */
  steps?: readonly SeedStep[];
  /** Called after each step that ran, in order. */
  onStep?: (result: SeedStepResult, stepCount: number) => void;
  /** Aborting stops the run before its next step. */
  signal?: AbortSignal;
  /** Recorded as the actor of every event (default `seed`). */
  actor?: string;
}

/**
 * Sends the seed's commands, in order, through the same command path as the API, as an admin.
 *
 * A run stops at the first step that does not end as it says: the ledger is append-only, and the steps
 * after a surprise would record a story nobody meant. So a second run on a seeded ledger appends nothing:
 * its first step is refused as a reused id and the rest are skipped.
 */
export async function runSeed(
  executor: Pick<CommandExecutor, 'execute'>,
  options: RunSeedOptions = {},
): Promise<SeedReport> {
  const steps = options.steps ?? seedScenario;
  const correlationId = randomUUID();
  const actor = options.actor ?? 'seed';
  const results: SeedStepResult[] = [];
  const accepted: LedgerCommand[] = [];
  let position = 0;
  let halted: SeedReport['halted'] = null;

  for (const [index, { description, command, refusedWith }] of steps.entries()) {
    const commandId = randomUUID();
    const base = {
      step: index + 1,
      description,
      commandType: command.type,
      commandId,
      expected: refusedWith ?? ('accepted' as const),
    };
    if (halted) {
      results.push({ ...base, outcome: 'skipped', asExpected: false });
      continue;
    }
    if (options.signal?.aborted) {
      halted = { step: base.step, reason: `aborted before step ${base.step}` };
      results.push({ ...base, outcome: 'skipped', asExpected: false });
      continue;
    }

    const context: CommandContext = {
      actor,
      role: 'admin',
      correlationId,
      causationId: commandId,
      commandId,
    };
    let result: SeedStepResult;
    try {
      const answer = await executor.execute(command, context);
      position = answer.position;
      accepted.push(command);
      result = { ...base, outcome: 'accepted', position: answer.position, asExpected: !refusedWith };
    } catch (error) {
      result = isDomainError(error)
        ? {
            ...base,
            outcome: 'refused',
            code: error.code,
            message: error.message,
            asExpected: error.code === refusedWith,
          }
        : {
            ...base,
            outcome: 'failed',
            code: error instanceof Error ? error.name : 'Error',
            message: error instanceof Error ? error.message : String(error),
            asExpected: false,
          };
    }
    results.push(result);
    options.onStep?.(result, steps.length);
    if (!result.asExpected) halted = { step: result.step, reason: surprise(result) };
  }

  return {
    correlationId,
    steps: results,
    accepted: results.filter((r) => r.outcome === 'accepted').length,
    refused: results.filter((r) => r.outcome === 'refused').length,
    position,
    halted,
    ok: halted === null,
    totals: totalsOf(accepted),
  };
}

function surprise(result: SeedStepResult): string {
  const expected = result.expected === 'accepted' ? 'to be accepted' : `refusal ${result.expected}`;
  const got =
    result.outcome === 'accepted'
      ? 'was accepted'
      : result.outcome === 'refused'
        ? `was refused with ${result.code}: ${result.message}`
        : `failed: ${result.message}`;
  return `step ${result.step} (${result.description}) ${got}; expected ${expected}`;
}

/** Totals of the command types the seed uses; it neither cancels orders nor revokes approvals. */
export function totalsOf(accepted: readonly LedgerCommand[]): SeedTotals {
  const foreign: Record<string, SkuTotals> = {};
  const domesticPurchased: Record<string, number> = {};
  const orders = new Map<string, { firmId: string; sku: string }>();
  const orderedBy = new Map<string, Map<string, number>>(); // sku -> firm -> units
  const approved = new Map<string, Set<string>>(); // sku -> firms
  const skuTotals = (sku: string): SkuTotals =>
    (foreign[sku] ??= {
      ordered: 0,
      approvedQuota: 0,
      supplied: 0,
      shipped: 0,
      awaitingApproval: 0,
      firmsApproved: [],
      firmsAwaiting: [],
    });

  for (const command of accepted) {
    switch (command.type) {
      case 'PlaceOrder': {
        const { orderId, firmId, sku, quantity } = command.data;
        orders.set(orderId, { firmId, sku });
        skuTotals(sku).ordered += quantity;
        const byFirm = orderedBy.get(sku) ?? new Map<string, number>();
        orderedBy.set(sku, byFirm.set(firmId, (byFirm.get(firmId) ?? 0) + quantity));
        break;
      }
      case 'GrantApproval': {
        const { firmId, sku, quota } = command.data;
        skuTotals(sku).approvedQuota += quota;
        approved.set(sku, (approved.get(sku) ?? new Set()).add(firmId));
        break;
      }
      case 'RecordSupply':
        skuTotals(command.data.sku).supplied += command.data.quantity;
        break;
      case 'ReleaseShipment': {
        const order = orders.get(command.data.orderId);
        if (order) skuTotals(order.sku).shipped += command.data.quantity;
        break;
      }
      case 'RecordDomesticPurchase':
        domesticPurchased[command.data.sku] =
          (domesticPurchased[command.data.sku] ?? 0) + command.data.quantity;
        break;
      default:
        break;
    }
  }

  for (const [sku, totals] of Object.entries(foreign)) {
    const firms = approved.get(sku) ?? new Set<string>();
    totals.firmsApproved = [...firms];
    for (const [firmId, units] of orderedBy.get(sku) ?? []) {
      if (firms.has(firmId)) continue;
      totals.awaitingApproval += units;
      totals.firmsAwaiting.push(firmId);
    }
  }
  return { foreign, domesticPurchased };
}
