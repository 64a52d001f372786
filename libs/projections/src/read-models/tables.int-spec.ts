import { createTestDatabase, type TestDatabase } from '@ledger/database/testing';
import { snakeCase } from '../projector/projection-tables.js';
import { readModels } from './index.js';

const SQL_TYPES = { text: 'text', bigint: 'bigint', boolean: 'boolean', jsonb: 'jsonb' } as const;

describe('the read models’ tables (migration) and the models’ columns', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.close());

  it.each(readModels.map((model) => [model.name, model] as const))(
    '%s: the table has exactly the generation plus the model’s columns, types, nullability and key',
    async (_name, model) => {
      const { rows } = await db.pool.query<{ column_name: string; data_type: string; is_nullable: string }>(
        `SELECT column_name, data_type, is_nullable FROM information_schema.columns
         WHERE table_name = $1 ORDER BY ordinal_position`,
        [model.table],
      );
      expect(rows).toEqual([
        { column_name: 'generation', data_type: 'integer', is_nullable: 'NO' },
        ...model.columns.map((column) => ({
          column_name: snakeCase(column.field),
          data_type: SQL_TYPES[column.type],
          is_nullable: column.nullable ? 'YES' : 'NO',
        })),
      ]);
      const key = await db.pool.query<{ column: string }>(
        `SELECT a.attname AS column FROM pg_index i
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
         WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)`,
        [model.table],
      );
      expect(key.rows.map((row) => row.column)).toEqual(['generation', ...model.key.map(snakeCase)]);
      expect(model.key.every((field) => model.columns.find((c) => c.field === field)?.type === 'text')).toBe(
        true,
      );
    },
  );
});
