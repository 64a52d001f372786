import type { JsonObject } from '@ledger/event-store';
import type { ReadModel } from '../read-model.js';
import type { Queryable } from './projection-tables.js';

/** What the last finished rebuild of a projection proved. */
export interface RebuildReport extends JsonObject {
  generation: number;
  /** The ledger position both the rebuilt and the live rows reflect when they were compared. */
  position: number;
  rows: number;
  /** SHA-256 over the rebuilt rows in key order. */
  checksum: string;
  /** The same over the live rows it replaced, at the same position; null when those were of another version. */
  liveChecksum: string | null;
  /** Rebuilt rows equal the live rows (null when there was nothing comparable). */
  matches: boolean | null;
  /** The rows written to the table equal the rows of the fold in memory. */
  tableMatchesFold: boolean;
  startedAt: string;
  finishedAt: string;
  eventsPerSecond: number;
}

export interface CatalogEntry {
  name: string;
  liveGeneration: number;
  liveVersion: number;
  livePosition: number;
  buildingGeneration: number | null;
  buildingVersion: number | null;
  buildingPosition: number | null;
  rebuildRequestedAt: Date | null;
  rebuildStartedAt: Date | null;
  lastRebuild: RebuildReport | null;
}

interface CatalogRow {
  name: string;
  live_generation: number;
  live_version: number;
  live_position: string | null;
  building_generation: number | null;
  building_version: number | null;
  building_position: string | null;
  rebuild_requested_at: Date | null;
  rebuild_started_at: Date | null;
  last_rebuild: RebuildReport | null;
}

/** How far a running rebuild is: its position against the ledger head, its rate and what is left. */
export interface RebuildProgress {
  generation: number;
  position: number;
  target: number;
  percent: number;
  eventsPerSecond: number;
  etaSeconds: number | null;
  requestedAt: string | null;
  startedAt: string | null;
}

/** The progress of the rebuild in `entry` towards `head` at `now` (ms); null when none runs. */
export function rebuildProgress(entry: CatalogEntry, head: number, now: number): RebuildProgress | null {
  if (entry.buildingGeneration === null) return null;
  const position = entry.buildingPosition ?? 0;
  const started = entry.rebuildStartedAt?.getTime() ?? null;
  const seconds = started === null ? 0 : (now - started) / 1000;
  const rate = seconds > 0 ? position / seconds : 0;
  return {
    generation: entry.buildingGeneration,
    position,
    target: head,
    percent: head === 0 ? 100 : Math.min(100, Math.round((position / head) * 1000) / 10),
    eventsPerSecond: Math.round(rate),
    etaSeconds: rate > 0 ? Math.ceil(Math.max(0, head - position) / rate) : null,
    requestedAt: entry.rebuildRequestedAt?.toISOString() ?? null,
    startedAt: entry.rebuildStartedAt?.toISOString() ?? null,
  };
}

export class ProjectionNotFoundError extends Error {
  constructor(readonly projection: string) {
    super(`no projection named ${projection}`);
  }
}

export class RebuildInProgressError extends Error {
  constructor(
    readonly projection: string,
    readonly generation: number,
  ) {
    super(`projection ${projection} is already being rebuilt (generation ${generation})`);
  }
}

const SELECT_CATALOG = `
  SELECT p.name, p.live_generation, p.live_version, lc.position AS live_position,
         p.building_generation, p.building_version, bc.position AS building_position,
         p.rebuild_requested_at, p.rebuild_started_at, p.last_rebuild
  FROM projections p
  LEFT JOIN projection_checkpoints lc ON lc.name = p.name AND lc.generation = p.live_generation
  LEFT JOIN projection_checkpoints bc ON bc.name = p.name AND bc.generation = p.building_generation`;

function fromRow(row: CatalogRow): CatalogEntry {
  return {
    name: row.name,
    liveGeneration: row.live_generation,
    liveVersion: row.live_version,
    livePosition: Number(row.live_position ?? 0),
    buildingGeneration: row.building_generation,
    buildingVersion: row.building_version,
    buildingPosition: row.building_position === null ? null : Number(row.building_position),
    rebuildRequestedAt: row.rebuild_requested_at,
    rebuildStartedAt: row.rebuild_started_at,
    lastRebuild: row.last_rebuild,
  };
}

/**
 * The `projections` table: which generation of each read model's rows is live, which one is being rebuilt,
 * and what the last rebuild proved. Checkpoints (`projection_checkpoints`) are per generation.
 */
export const catalog = {
  /** Registers the models (generation 1 at position 0) unless they are known already. */
  async register(db: Queryable, models: readonly ReadModel[]): Promise<void> {
    for (const model of models) {
      await db.query(
        `INSERT INTO projections (name, live_generation, live_version, next_generation)
         VALUES ($1, 1, $2, 2) ON CONFLICT (name) DO NOTHING`,
        [model.name, model.version],
      );
      await db.query(
        `INSERT INTO projection_checkpoints (name, generation, position) VALUES ($1, 1, 0)
         ON CONFLICT (name, generation) DO NOTHING`,
        [model.name],
      );
    }
  },

  async list(db: Queryable): Promise<CatalogEntry[]> {
    const { rows } = await db.query<CatalogRow>(`${SELECT_CATALOG} ORDER BY p.name`);
    return rows.map(fromRow);
  },

  async get(db: Queryable, name: string): Promise<CatalogEntry | null> {
    const { rows } = await db.query<CatalogRow>(`${SELECT_CATALOG} WHERE p.name = $1`, [name]);
    return rows[0] ? fromRow(rows[0]) : null;
  },

  /**
   * Asks for a rebuild: a fresh generation is reserved and starts at position 0; the projector that leads
   * picks it up. A second request while one runs is refused.
   */
  async requestRebuild(db: Queryable, name: string, version: number): Promise<CatalogEntry> {
    const { rows } = await db.query<{ building_generation: number }>(
      `UPDATE projections
       SET building_generation = next_generation, building_version = $2, next_generation = next_generation + 1,
           rebuild_requested_at = now(), rebuild_started_at = NULL
       WHERE name = $1 AND building_generation IS NULL
       RETURNING building_generation`,
      [name, version],
    );
    const entry = await catalog.get(db, name);
    if (!entry) throw new ProjectionNotFoundError(name);
    if (!rows[0]) throw new RebuildInProgressError(name, entry.buildingGeneration ?? 0);
    await db.query(
      `INSERT INTO projection_checkpoints (name, generation, position) VALUES ($1, $2, 0)
       ON CONFLICT (name, generation) DO UPDATE SET position = 0, updated_at = now()`,
      [name, rows[0].building_generation],
    );
    return (await catalog.get(db, name))!;
  },

  async markRebuildStarted(db: Queryable, name: string, generation: number): Promise<void> {
    await db.query(
      `UPDATE projections SET rebuild_started_at = coalesce(rebuild_started_at, now())
       WHERE name = $1 AND building_generation = $2`,
      [name, generation],
    );
  },

  /** Makes the rebuilt generation live, in one statement: readers see the old rows or the new ones. */
  async swap(
    db: Queryable,
    name: string,
    from: number,
    to: number,
    version: number,
    report: RebuildReport,
  ): Promise<boolean> {
    const result = await db.query(
      `UPDATE projections
       SET live_generation = $3, live_version = $4, building_generation = NULL, building_version = NULL,
           rebuild_requested_at = NULL, rebuild_started_at = NULL, last_rebuild = $5
       WHERE name = $1 AND live_generation = $2 AND building_generation = $3`,
      [name, from, to, version, JSON.stringify(report)],
    );
    if (result.rowCount !== 1) return false;
    await db.query(`DELETE FROM projection_checkpoints WHERE name = $1 AND generation = $2`, [name, from]);
    return true;
  },
};
