export {
  CommandConflictError,
  CommandExecutor,
  type CommandContext,
  type CommandExecutorOptions,
  type CommandResult,
  type ExecuteOptions,
} from './command-executor.js';
export { plans, type Load, type Plan } from './plans.js';
export { StreamStateCache, type StreamState } from './stream-state-cache.js';
export type { Fold } from './folds.js';
export {
  SEED_BATCH_1_QUOTAS,
  SEED_BATCH_ID,
  SEED_FIRMS,
  SEED_H200_ORDERS,
  SEED_PAIRING_RATIO,
  seedIds,
  seedScenario,
  type SeedFirmId,
  type SeedStep,
} from './seed/seed-scenario.js';
export {
  runSeed,
  totalsOf,
  type RunSeedOptions,
  type SeedOutcome,
  type SeedReport,
  type SeedStepResult,
  type SeedTotals,
  type SkuTotals,
} from './seed/seed-runner.js';
