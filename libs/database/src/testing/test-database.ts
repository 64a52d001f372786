import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createPool } from '../database.js';
import { migrate } from '../data-source.js';
import { EmbeddedPostgres, isAlive } from '../embedded/embedded-postgres.js';

/**
 * A fresh, migrated database per test file. With DATABASE_URL: a database cloned from a migrated template on
 * that server (milliseconds). Without: an embedded PGlite started from a migrated data-directory dump.
 */
export interface TestDatabase {
  kind: 'server' | 'embedded';
  url: string;
  pool: pg.Pool;
  /** Runs SQL as the server's superuser on this database (to tamper, terminate backends, ...). */
  superuser: pg.Pool;
  close(): Promise<void>;
}

/** Everything one test run creates is named after the run (the jest parent process), for clean-up. */
const RUN = process.ppid;
const TEMPLATE = `ledger_test_${RUN}_template`;
const TEMPLATE_LOCK = 7_406_315_001;

/** The migrated template database on the server, made once per run by whichever worker comes first. */
async function ensureServerTemplate(serverUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [TEMPLATE]);
    if (rowCount === 0) {
      await dropAbandoned(admin);
      await admin.query(`CREATE DATABASE ${TEMPLATE}_building`);
      await migrate(withDatabase(serverUrl, `${TEMPLATE}_building`));
      await admin.query(`ALTER DATABASE ${TEMPLATE}_building RENAME TO ${TEMPLATE}`);
    }
  } finally {
    await admin.end();
  }
}

/** A gzipped, migrated PGlite data directory, made once per run; initdb alone takes seconds. */
const RUN_DIR = join(tmpdir(), `ledger-test-${RUN}`);

async function ensureEmbeddedTemplate(): Promise<string> {
  const dir = RUN_DIR;
  const dumpFile = join(dir, 'template.tar.gz');
  mkdirSync(dir, { recursive: true });
  let building = false;
  try {
    closeSync(openSync(join(dir, 'building'), 'wx'));
    building = true;
  } catch {
    // another worker builds it
  }
  if (building) {
    removeAbandonedDirs();
    const work = mkdtempSync(join(dir, 'work-'));
    const embedded = await EmbeddedPostgres.start({ dataDir: join(work, 'pgdata') });
    try {
      await migrate(embedded.url);
      writeFileSync(`${dumpFile}.tmp`, Buffer.from(await (await embedded.dump()).arrayBuffer()));
      renameSync(`${dumpFile}.tmp`, dumpFile);
    } finally {
      await embedded.stop();
      rmSync(work, { recursive: true, force: true });
    }
  }
  for (let waited = 0; !existsSync(dumpFile); waited += 200) {
    if (waited > 120_000) throw new Error(`the embedded test template ${dumpFile} never appeared`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return dumpFile;
}

function removeAbandonedDirs(): void {
  for (const name of readdirSync(tmpdir())) {
    const pid = Number(/^ledger-test-(\d+)$/.exec(name)?.[1]);
    if (pid && pid !== RUN && !isAlive(pid)) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    await ensureServerTemplate(serverUrl);
    const name = `ledger_test_${RUN}_${Math.random().toString(36).slice(2, 10)}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE}`);
    } finally {
      await admin.end();
    }
    const url = withDatabase(serverUrl, name);
    const pool = createPool(url, 20);
    const superuser = createPool(url, 4);
    return {
      kind: 'server',
      url,
      pool,
      superuser,
      async close() {
        await Promise.all([pool.end(), superuser.end()]);
        const cleanup = new pg.Client({ connectionString: serverUrl });
        await cleanup.connect();
        await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => cleanup.end());
      },
    };
  }

  const dumpFile = await ensureEmbeddedTemplate();
  const dir = mkdtempSync(join(RUN_DIR, 'db-'));
  const embedded = await EmbeddedPostgres.start({
    dataDir: join(dir, 'pgdata'),
    initialData: new Blob([readFileSync(dumpFile)]),
  });
  const pool = createPool(embedded.url, 8);
  const superuser = createPool(embedded.url, 1);
  return {
    kind: 'embedded',
    url: embedded.url,
    pool,
    superuser,
    async close() {
      await Promise.all([pool.end(), superuser.end()]);
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Databases left by test runs whose process is gone (a killed run never reaches its teardown). */
async function dropAbandoned(admin: pg.Client): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>(
    "SELECT datname FROM pg_database WHERE datname LIKE 'ledger\\_test\\_%'",
  );
  for (const { datname } of rows) {
    const pid = Number(/^ledger_test_(\d+)_/.exec(datname)?.[1]);
    if (pid && pid !== RUN && !isAlive(pid))
      await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  }
}
