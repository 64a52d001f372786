import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Read models. Each model's rows carry a `generation`: the live one is named in `projections`, a rebuild
 * writes a fresh one beside it and the swap is a one-row update. Checkpoints are per generation and move
 * in the same transaction as the rows. Key columns are `COLLATE "C"` so that SQL and the in-memory as-of
 * reads order and page rows the same way (code-point order).
 */
export class Projections1764460000000 implements MigrationInterface {
  name = 'Projections1764460000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE projections (
        name text NOT NULL,
        live_generation integer NOT NULL,
        live_version integer NOT NULL,
        next_generation integer NOT NULL,
        building_generation integer,
        building_version integer,
        rebuild_requested_at timestamptz,
        rebuild_started_at timestamptz,
        last_rebuild jsonb,
        CONSTRAINT projections_pkey PRIMARY KEY (name)
      )`);
    await db.query(`
      CREATE TABLE projection_checkpoints (
        name text NOT NULL,
        generation integer NOT NULL,
        position bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT projection_checkpoints_pkey PRIMARY KEY (name, generation)
      )`);
    await db.query(`
      CREATE TABLE projection_snapshots (
        name text NOT NULL,
        version integer NOT NULL,
        position bigint NOT NULL,
        recorded_high text NOT NULL,
        state bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT projection_snapshots_pkey PRIMARY KEY (name, version, position)
      )`);
    // MODEL TABLES
  }

  async down(db: QueryRunner): Promise<void> {
    // MODEL TABLES DOWN
    await db.query(`DROP TABLE projection_snapshots`);
    await db.query(`DROP TABLE projection_checkpoints`);
    await db.query(`DROP TABLE projections`);
  }
}
