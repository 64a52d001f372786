import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signed checkpoints of the ledger and the public keys that verify them. The private keys never come
 * here: whoever can write this database must not be able to sign. Checkpoints are append-only; a key
 * can only ever be retired, once.
 */
export class AuditCheckpoints1764450000000 implements MigrationInterface {
  name = 'AuditCheckpoints1764450000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE audit_keys (
        key_id text NOT NULL,
        public_key_pem text NOT NULL,
        created_at timestamptz NOT NULL,
        retired_at timestamptz NULL,
        CONSTRAINT audit_keys_pkey PRIMARY KEY (key_id),
        CONSTRAINT audit_keys_retired_check CHECK (retired_at IS NULL OR retired_at >= created_at)
      )`);
    // The size is the fence: two signers can never store two different checkpoints of one size.
    await db.query(`
      CREATE TABLE audit_checkpoints (
        size bigint NOT NULL,
        ledger_id text NOT NULL,
        head_hash text NOT NULL,
        merkle_root text NOT NULL,
        time timestamptz NOT NULL,
        key_id text NOT NULL,
        signature text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT audit_checkpoints_pkey PRIMARY KEY (size),
        CONSTRAINT audit_checkpoints_size_check CHECK (size >= 0),
        CONSTRAINT audit_checkpoints_key_fkey FOREIGN KEY (key_id) REFERENCES audit_keys (key_id)
      )`);

    await db.query(`
      CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
      FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()`);
    await db.query(`
      CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
      FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()`);

    await db.query(`
      CREATE FUNCTION audit_keys_retire_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND OLD.retired_at IS NULL AND NEW.retired_at IS NOT NULL
           AND NEW.key_id = OLD.key_id AND NEW.public_key_pem = OLD.public_key_pem
           AND NEW.created_at = OLD.created_at THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit_keys: a key can only be retired, once: % refused', TG_OP USING ERRCODE = 'SL403';
      END $$`);
    await db.query(`
      CREATE TRIGGER audit_keys_retire_only BEFORE UPDATE OR DELETE ON audit_keys
      FOR EACH ROW EXECUTE FUNCTION audit_keys_retire_only()`);
    await db.query(`
      CREATE TRIGGER audit_keys_no_truncate BEFORE TRUNCATE ON audit_keys
      FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()`);

    // ALWAYS: a session in replica mode (session_replication_role) must not slip past them either.
    for (const [table, trigger] of [
      ['audit_checkpoints', 'audit_checkpoints_append_only'],
      ['audit_checkpoints', 'audit_checkpoints_no_truncate'],
      ['audit_keys', 'audit_keys_retire_only'],
      ['audit_keys', 'audit_keys_no_truncate'],
    ] as const) {
      await db.query(`ALTER TABLE ${table} ENABLE ALWAYS TRIGGER ${trigger}`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE audit_checkpoints`);
    await db.query(`DROP TABLE audit_keys`);
    await db.query(`DROP FUNCTION audit_keys_retire_only()`);
  }
}
