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
    // A batch moves its checkpoints in the same statement as its rows; when another projector moved one
    // first, the whole statement fails here and nothing of the batch is kept.
    await db.query(`
      CREATE FUNCTION projection_checkpoints_moved(moved integer, expected integer) RETURNS integer
      LANGUAGE plpgsql AS $$
      BEGIN
        IF moved <> expected THEN
          RAISE EXCEPTION 'projection checkpoint moved under this projector: % of % advanced', moved, expected
            USING ERRCODE = 'SL409';
        END IF;
        RETURN moved;
      END $$`);
    // The read models' own tables: key columns in code-point order, an index per filter.
    await db.query(`
      CREATE TABLE proj_allocations (
        generation integer NOT NULL,
        firm_id text COLLATE "C" NOT NULL,
        sku text COLLATE "C" NOT NULL,
        ordered bigint NOT NULL,
        cancelled bigint NOT NULL,
        shipped bigint NOT NULL,
        backlog bigint NOT NULL,
        approved_quota bigint NOT NULL,
        remaining_quota bigint NOT NULL,
        unapproved_backlog bigint NOT NULL,
        domestic_purchased bigint NOT NULL,
        domestic_required bigint NOT NULL,
        status text NOT NULL,
        CONSTRAINT proj_allocations_pkey PRIMARY KEY (generation, firm_id, sku)
      )`);
    await db.query(`CREATE INDEX proj_allocations_sku_idx ON proj_allocations (generation, sku, firm_id)`);
    await db.query(`
      CREATE TABLE proj_backlog (
        generation integer NOT NULL,
        sku text COLLATE "C" NOT NULL,
        ordered bigint NOT NULL,
        shipped bigint NOT NULL,
        cancelled bigint NOT NULL,
        backlog bigint NOT NULL,
        approved_quota bigint NOT NULL,
        approved_remaining bigint NOT NULL,
        unapproved_backlog bigint NOT NULL,
        awaiting_approval bigint NOT NULL,
        supply_available bigint NOT NULL,
        imports_blocked boolean NOT NULL,
        license_active boolean NOT NULL,
        license_valid_until text,
        firms_approved jsonb NOT NULL,
        firms_waiting jsonb NOT NULL,
        CONSTRAINT proj_backlog_pkey PRIMARY KEY (generation, sku)
      )`);
    await db.query(`
      CREATE TABLE proj_approval_batches (
        generation integer NOT NULL,
        batch_id text COLLATE "C" NOT NULL,
        approvals jsonb NOT NULL,
        firms jsonb NOT NULL,
        quota bigint NOT NULL,
        used bigint NOT NULL,
        remaining bigint NOT NULL,
        voided bigint NOT NULL,
        CONSTRAINT proj_approval_batches_pkey PRIMARY KEY (generation, batch_id)
      )`);
    await db.query(`
      CREATE TABLE proj_orders (
        generation integer NOT NULL,
        order_id text COLLATE "C" NOT NULL,
        firm_id text NOT NULL,
        sku text NOT NULL,
        quantity bigint NOT NULL,
        shipped bigint NOT NULL,
        delivered bigint NOT NULL,
        cancelled bigint NOT NULL,
        outstanding bigint NOT NULL,
        status text NOT NULL,
        CONSTRAINT proj_orders_pkey PRIMARY KEY (generation, order_id)
      )`);
    await db.query(`CREATE INDEX proj_orders_firm_idx ON proj_orders (generation, firm_id, order_id)`);
    await db.query(`CREATE INDEX proj_orders_status_idx ON proj_orders (generation, status, order_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['proj_orders', 'proj_approval_batches', 'proj_backlog', 'proj_allocations']) {
      await db.query(`DROP TABLE ${table}`);
    }
    await db.query(`DROP FUNCTION projection_checkpoints_moved(integer, integer)`);
    await db.query(`DROP TABLE projection_snapshots`);
    await db.query(`DROP TABLE projection_checkpoints`);
    await db.query(`DROP TABLE projections`);
  }
}
