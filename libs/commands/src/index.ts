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
