export { Database, createPool, withSessionSettings, type DatabaseOptions } from './database.js';
export { createDataSource, migrate } from './data-source.js';
export {
  EmbeddedPostgres,
  EmbeddedDatabaseLockedError,
  type EmbeddedPostgresOptions,
} from './embedded/embedded-postgres.js';
export { migrations } from './migrations/index.js';
