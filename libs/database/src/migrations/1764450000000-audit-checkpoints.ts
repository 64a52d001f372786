import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Signed checkpoints of the ledger (filled in by the audit work). */
export class AuditCheckpoints1764450000000 implements MigrationInterface {
  name = 'AuditCheckpoints1764450000000';

  async up(_db: QueryRunner): Promise<void> {}

  async down(_db: QueryRunner): Promise<void> {}
}
