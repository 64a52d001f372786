import pg from 'pg';
import { createPool, migrate, withSessionSettings } from '@ledger/database';
import { Sequencer, type SequencerOptions } from '@ledger/event-store';
import { progress } from './progress.js';

const BENCH_DATABASE = 'ledger_bench';

export function benchDatabaseUrl(serverUrl: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${BENCH_DATABASE}`;
  return url.toString();
}

/** A fresh, migrated bench database; returns its URL. */
export async function recreateBenchDatabase(serverUrl: string): Promise<string> {
  await withAdminClient(serverUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${BENCH_DATABASE} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${BENCH_DATABASE}`);
  });
  const url = withSessionSettings(benchDatabaseUrl(serverUrl));
  await migrate(url);
  return url;
}

export async function dropBenchDatabase(serverUrl: string): Promise<void> {
  await withAdminClient(serverUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${BENCH_DATABASE} WITH (FORCE)`);
  });
}

export interface ServerInfo {
  version: string;
  /** Off means tables are never analysed unless asked: the planner then works without statistics. */
  autovacuum: string;
}

export async function serverInfo(serverUrl: string): Promise<ServerInfo> {
  return withAdminClient(serverUrl, async (client) => {
    const { rows } = await client.query<ServerInfo>(
      "SELECT version(), current_setting('autovacuum') AS autovacuum",
    );
    return rows[0]!;
  });
}

export async function withPool<T>(url: string, max: number, use: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const pool = createPool(url, max);
  try {
    return await use(pool);
  } finally {
    await pool.end();
  }
}

export async function withSequencer<T>(
  url: string,
  options: SequencerOptions,
  use: (sequencer: Sequencer) => Promise<T>,
): Promise<T> {
  const sequencer = new Sequencer(url, {
    ...options,
    logger: { log: () => undefined, warn: progress, error: progress },
  });
  sequencer.start();
  try {
    return await use(sequencer);
  } finally {
    await sequencer.stop();
  }
}

/** Checks out one client per writer; on a failure, gives back the ones already taken. */
export async function connectClients(pool: pg.Pool, count: number): Promise<pg.PoolClient[]> {
  const clients: pg.PoolClient[] = [];
  try {
    for (let i = 0; i < count; i++) clients.push(await pool.connect());
    return clients;
  } catch (error) {
    releaseClients(clients);
    throw error;
  }
}

export function releaseClients(clients: readonly pg.PoolClient[]): void {
  for (const client of clients) client.release();
}

async function withAdminClient<T>(serverUrl: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}
