import { join } from 'node:path';
import pg from 'pg';
import { migrate } from './data-source.js';
import { EmbeddedPostgres } from './embedded/embedded-postgres.js';

export interface DatabaseOptions {
  /** A PostgreSQL server. Absent: the embedded database in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  /** Connections in the shared pool. */
  poolSize?: number;
  /** Called for errors on idle pooled connections (a restarted server, a terminated backend). */
  onIdleError?: (error: Error) => void;
}

/** The database the service runs on: a server, or the embedded default, migrated and pooled. */
export class Database {
  private constructor(
    readonly url: string,
    readonly pool: pg.Pool,
    readonly embedded: EmbeddedPostgres | null,
  ) {}

  static async open(options: DatabaseOptions): Promise<Database> {
    const embedded = options.databaseUrl
      ? null
      : await EmbeddedPostgres.start({ dataDir: join(options.dataDir, 'pgdata') });
    try {
      const url = withSessionSettings(options.databaseUrl ?? embedded!.url);
      await migrate(url);
      // On the embedded server every connection queues for one session: a few are plenty.
      const max = options.poolSize ?? (embedded ? 8 : 20);
      const pool = createPool(url, max, options.onIdleError);
      return new Database(url, pool, embedded);
    } catch (error) {
      await embedded?.stop();
      throw error;
    }
  }

  get kind(): 'embedded' | 'server' {
    return this.embedded ? 'embedded' : 'server';
  }

  private closing: Promise<void> | null = null;

  /** Closes the pool, then the embedded server; a second call waits for the first. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.pool.end();
      await this.embedded?.stop();
    })();
    return this.closing;
  }
}

/**
 * The URL with the settings every session of the service runs with (sequencer, projector and pool alike).
 * JIT is off: the ledger's tables grow large, and where autovacuum is off they have no statistics; the
 * planner's estimates then cross `jit_above_cost`, and compiling a short query (the sequencer's poll for
 * committed events) took 7-25 ms, many times the query itself. The embedded database ignores it (it has
 * no JIT).
 */
export function withSessionSettings(url: string): string {
  const parsed = new URL(url);
  const given = parsed.searchParams.get('options');
  parsed.searchParams.set('options', given ? `${given} -c jit=off` : '-c jit=off');
  return parsed.toString();
}

export function createPool(url: string, max: number, onIdleError?: (error: Error) => void): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  // Without a listener an idle client's error (server restart, pg_terminate_backend) crashes the process.
  pool.on('error', onIdleError ?? (() => undefined));
  return pool;
}
