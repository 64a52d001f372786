import { Database, EmbeddedDatabaseLockedError } from '@ledger/database';
import type { CliIo } from './verify.js';

/** Where a command finds the ledger: a server, or the embedded database in a data directory. */
export interface DatabaseEnv {
  DATABASE_URL?: string;
  LEDGER_DATA_DIR?: string;
}

/**
 * Opens the ledger's database for `ledger <command>`, or says in one line why not and gives the exit code:
 * 2 for a DATABASE_URL that is not a postgres:// URL, 1 when the database cannot be opened.
 */
export async function openDatabase(command: string, env: DatabaseEnv, io: CliIo): Promise<Database | number> {
  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  const dataDir = env.LEDGER_DATA_DIR?.trim() || './data';
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    io.stderr(`ledger ${command}: DATABASE_URL must be a postgres:// URL`);
    return 2;
  }
  try {
    return await Database.open({ ...(databaseUrl ? { databaseUrl } : {}), dataDir });
  } catch (error) {
    const hint =
      error instanceof EmbeddedDatabaseLockedError
        ? '; stop the service first, or set DATABASE_URL to its server'
        : '';
    io.stderr(`ledger ${command}: cannot open the database: ${(error as Error).message}${hint}`);
    return 1;
  }
}
