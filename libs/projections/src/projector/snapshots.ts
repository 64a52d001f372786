import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { JsonValue } from '@ledger/event-store';
import type { ReadModel } from '../read-model.js';
import type { Queryable } from './projection-tables.js';

const zip = promisify(gzip);
const unzip = promisify(gunzip);

/**
 * A read model's whole state at a ledger position. A state is a pure function of the ledger prefix, so a
 * snapshot serves every generation of the same model version: as-of reads start from the nearest one and
 * replay only what follows it.
 */
export interface Snapshot {
  position: number;
  /** The latest `recordedAt` among entries 1..position (ISO): an as-of time at or after it covers them all. */
  recordedHigh: string;
  state: JsonValue;
}

export const snapshots = {
  async save(db: Queryable, model: ReadModel, snapshot: Snapshot): Promise<void> {
    const bytes = await zip(Buffer.from(JSON.stringify(snapshot.state), 'utf8'));
    await db.query(
      `INSERT INTO projection_snapshots (name, version, position, recorded_high, state)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name, version, position) DO NOTHING`,
      [model.name, model.version, snapshot.position, snapshot.recordedHigh, bytes],
    );
  },

  /** Whether a snapshot of this model version exists at a position from `from` to `to`. */
  async existsBetween(db: Queryable, model: ReadModel, from: number, to: number): Promise<boolean> {
    const { rows } = await db.query(
      `SELECT 1 FROM projection_snapshots
       WHERE name = $1 AND version = $2 AND position BETWEEN $3 AND $4 LIMIT 1`,
      [model.name, model.version, from, to],
    );
    return rows.length > 0;
  },

  /** The latest snapshot at or before a position. */
  async atOrBefore(db: Queryable, model: ReadModel, position: number): Promise<Snapshot | null> {
    return load(
      db,
      `SELECT position, recorded_high, state FROM projection_snapshots
       WHERE name = $1 AND version = $2 AND position <= $3 ORDER BY position DESC LIMIT 1`,
      [model.name, model.version, position],
    );
  },

  /** The latest snapshot whose entries were all recorded at or before `time` (ISO). */
  async recordedBy(db: Queryable, model: ReadModel, time: string): Promise<Snapshot | null> {
    return load(
      db,
      `SELECT position, recorded_high, state FROM projection_snapshots
       WHERE name = $1 AND version = $2 AND recorded_high <= $3 ORDER BY position DESC LIMIT 1`,
      [model.name, model.version, time],
    );
  },
};

async function load(db: Queryable, sql: string, values: unknown[]): Promise<Snapshot | null> {
  const { rows } = await db.query<{ position: string; recorded_high: string; state: Buffer }>(sql, values);
  const row = rows[0];
  if (!row) return null;
  return {
    position: Number(row.position),
    recordedHigh: row.recorded_high,
    state: JSON.parse((await unzip(row.state)).toString('utf8')) as JsonValue,
  };
}
