import { EventStore1764430000000 } from './1764430000000-event-store.js';

/** Every migration, oldest first. Classes, not globs: the build is ESM and has no __dirname. */
export const migrations = [EventStore1764430000000];
