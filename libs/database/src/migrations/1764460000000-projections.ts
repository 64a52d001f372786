import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Read model tables, checkpoints and snapshots. */
export class Projections1764460000000 implements MigrationInterface {
  name = 'Projections1764460000000';

  async up(_db: QueryRunner): Promise<void> {}

  async down(_db: QueryRunner): Promise<void> {}
}
