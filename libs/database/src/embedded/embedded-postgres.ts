import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { PgliteWireServer } from './pglite-wire-server.js';

export class EmbeddedDatabaseLockedError extends Error {
  override readonly name = 'EmbeddedDatabaseLockedError';
}

export interface EmbeddedPostgresOptions {
  /** Where the database files live. */
  dataDir: string;
  /**
   * Connections the loopback server accepts (default 64). They share one PGlite session and queue for it,
   * so more connections cost little; past the cap new ones are dropped.
   */
  maxConnections?: number;
  /** A gzipped data directory (from `dumpDataDir`) to start from when `dataDir` holds no database yet. */
  initialData?: Blob;
}

/**
 * PostgreSQL compiled to WASM (PGlite), served on a loopback port so the ordinary `pg` driver and TypeORM
 * talk to it like a server (see PgliteWireServer for why not pglite-socket's server). PGlite has no inter-process lock and a second process on the same directory
 * silently loses writes, so a lock file (O_EXCL, holding our pid) guards the directory.
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PgliteWireServer,
    private readonly lockFile: string,
    readonly url: string,
    readonly maxConnections: number,
  ) {}

  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
    const dataDir = resolve(options.dataDir);
    const maxConnections = options.maxConnections ?? 64;
    mkdirSync(dataDir, { recursive: true });
    const lockFile = `${dataDir}.lock`;
    acquireLock(lockFile, dataDir);
    try {
      const { PGlite } = await import('@electric-sql/pglite');
      const hasData = existsPgVersion(dataDir);
      const db = await PGlite.create({
        dataDir,
        ...(!hasData && options.initialData ? { loadDataDir: options.initialData } : {}),
      });
      const server = new PgliteWireServer(db, maxConnections);
      const port = await server.listen();
      const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
      return new EmbeddedPostgres(db, server, lockFile, url, maxConnections);
    } catch (error) {
      releaseLock(lockFile);
      throw error;
    }
  }

  /** A gzipped copy of the data directory, to seed other instances (test templates). */
  async dump(): Promise<Blob> {
    const dump = await this.db.dumpDataDir('gzip');
    return dump;
  }

  async stop(): Promise<void> {
    try {
      await this.server.close();
      await this.db.close();
    } finally {
      releaseLock(this.lockFile);
    }
  }
}

function existsPgVersion(dataDir: string): boolean {
  try {
    readFileSync(join(dataDir, 'PG_VERSION'));
    return true;
  } catch {
    return false;
  }
}

function acquireLock(lockFile: string, dataDir: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lockFile, 'utf8').trim());
      if (holder && holder !== process.pid && isAlive(holder)) {
        throw new EmbeddedDatabaseLockedError(
          `embedded database ${dataDir} is in use by process ${holder} (lock ${lockFile})`,
        );
      }
      if (holder === process.pid) {
        throw new EmbeddedDatabaseLockedError(`embedded database ${dataDir} is already open in this process`);
      }
      unlinkSync(lockFile); // left by a process that died: take it over
    }
  }
  throw new EmbeddedDatabaseLockedError(`could not lock embedded database ${dataDir}`);
}

function releaseLock(lockFile: string): void {
  try {
    if (Number(readFileSync(lockFile, 'utf8').trim()) === process.pid) unlinkSync(lockFile);
  } catch {
    // already gone
  }
}

/** Whether a process with this pid exists (one we may not signal still exists). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
