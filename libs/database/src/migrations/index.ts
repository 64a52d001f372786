import { EventStore1764430000000 } from './1764430000000-event-store.js';
import { IdempotencyKeys1764440000000 } from './1764440000000-idempotency-keys.js';

/** Every migration, oldest first. Classes, not globs: the build is ESM and has no __dirname. */
export const migrations = [EventStore1764430000000, IdempotencyKeys1764440000000];
