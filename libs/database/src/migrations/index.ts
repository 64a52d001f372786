import { EventStore1764430000000 } from './1764430000000-event-store.js';
import { IdempotencyKeys1764440000000 } from './1764440000000-idempotency-keys.js';
import { AuditCheckpoints1764450000000 } from './1764450000000-audit-checkpoints.js';
import { Projections1764460000000 } from './1764460000000-projections.js';
import { CombinedAppends1764470000000 } from './1764470000000-combined-appends.js';

/** Every migration, oldest first. Classes, not globs: the build is ESM and has no __dirname. */
export const migrations = [
  EventStore1764430000000,
  IdempotencyKeys1764440000000,
  AuditCheckpoints1764450000000,
  Projections1764460000000,
  CombinedAppends1764470000000,
];
