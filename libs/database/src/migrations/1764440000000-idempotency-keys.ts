import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Answers to commands sent with an Idempotency-Key, per caller, so a retry gets the first answer again. */
export class IdempotencyKeys1764440000000 implements MigrationInterface {
  name = 'IdempotencyKeys1764440000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE idempotency_keys (
        actor text NOT NULL,
        key text NOT NULL,
        request_hash text NOT NULL,
        status integer NOT NULL,
        body jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT idempotency_keys_pkey PRIMARY KEY (actor, key)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE idempotency_keys`);
  }
}
