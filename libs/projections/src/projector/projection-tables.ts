import { createHash } from 'node:crypto';
import type pg from 'pg';
import { canonicalize, type JsonObject, type JsonValue } from '@ledger/event-store';
import type { Column, ReadModel } from '../read-model.js';

/** Anything that runs a query: a pool, a client, a client inside a transaction. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}

/** Equality filters on a model's filter fields, a page size and where the previous page ended. */
export interface RowQuery {
  where?: Record<string, string | undefined>;
  limit?: number;
  /** The opaque cursor of the previous page (`next`). */
  after?: string;
}

export interface RowPage {
  items: JsonObject[];
  /** Pass as `after` for the next page; null on the last page. */
  next: string | null;
}

export class InvalidCursorError extends Error {
  constructor() {
    super('the cursor is not one this read model handed out');
  }
}

export const snakeCase = (field: string): string => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unexpected identifier ${name}`);
  return `"${name}"`;
}

const SQL_TYPE: Record<Column['type'], string> = {
  text: 'text',
  bigint: 'bigint',
  boolean: 'boolean',
  jsonb: 'jsonb',
};

/**
 * The SQL a read model's rows need, generated once from its column list: every model is stored the same
 * way, a row per key per generation, so one projector serves them all.
 */
export class ModelTable {
  private readonly table: string;
  private readonly columnList: string;
  private readonly keyColumns: string[];
  private readonly upsertSql: string;

  constructor(readonly model: ReadModel) {
    this.table = quoteIdent(model.table);
    this.columnList = model.columns.map((c) => quoteIdent(snakeCase(c.field))).join(', ');
    this.keyColumns = model.key.map((field) => quoteIdent(snakeCase(field)));
    const recordType = model.columns
      .map((c) => `${quoteIdent(snakeCase(c.field))} ${SQL_TYPE[c.type]}`)
      .join(', ');
    const keySet = new Set(model.key);
    const updates = model.columns
      .filter((c) => !keySet.has(c.field))
      .map((c) => `${quoteIdent(snakeCase(c.field))} = EXCLUDED.${quoteIdent(snakeCase(c.field))}`);
    this.upsertSql = `
      INSERT INTO ${this.table} (generation, ${this.columnList})
      SELECT {generation}, ${this.columnList} FROM jsonb_to_recordset({rows}::jsonb) AS r(${recordType})
      ON CONFLICT (generation, ${this.keyColumns.join(', ')})
      ${updates.length > 0 ? `DO UPDATE SET ${updates.join(', ')}` : 'DO NOTHING'}`;
  }

  /**
   * The upsert of these rows into a generation as one statement, its parameters appended to `values` (to
   * combine with other statements in one query).
   */
  upsertStatement(values: unknown[], generation: number, rows: readonly JsonObject[]): string {
    values.push(generation, JSON.stringify(rows.map((row) => this.toRecord(row))));
    return this.upsertSql
      .replace('{generation}', `$${values.length - 1}`)
      .replace('{rows}', `$${values.length}`);
  }

  async deleteGeneration(db: Queryable, generation: number): Promise<void> {
    await db.query(`DELETE FROM ${this.table} WHERE generation = $1`, [generation]);
  }

  async deleteOtherGenerations(db: Queryable, keep: readonly number[]): Promise<void> {
    await db.query(`DELETE FROM ${this.table} WHERE NOT (generation = ANY($1::int[]))`, [keep]);
  }

  /** A page of a generation's rows in key order, filtered by equality. */
  async page(db: Queryable, generation: number, query: RowQuery): Promise<RowPage> {
    const limit = query.limit ?? 100;
    const values: unknown[] = [generation];
    const conditions = ['generation = $1'];
    for (const [field, value] of Object.entries(query.where ?? {})) {
      if (value === undefined) continue;
      if (!this.model.filters.includes(field) && !this.model.key.includes(field)) {
        throw new Error(`${this.model.name} cannot filter on ${field}`);
      }
      values.push(value);
      conditions.push(`${quoteIdent(snakeCase(field))} = $${values.length}`);
    }
    if (query.after !== undefined) {
      const key = decodeCursor(query.after, this.model.key.length);
      const placeholders = key.map((value) => {
        values.push(value);
        return `$${values.length}`;
      });
      conditions.push(`(${this.keyColumns.join(', ')}) > (${placeholders.join(', ')})`);
    }
    values.push(limit + 1);
    const { rows } = await db.query(
      `SELECT ${this.columnList} FROM ${this.table} WHERE ${conditions.join(' AND ')}
       ORDER BY ${this.keyColumns.join(', ')} LIMIT $${values.length}`,
      values,
    );
    const items = rows.slice(0, limit).map((row) => this.fromRecord(row as Record<string, unknown>));
    return { items, next: rows.length > limit ? this.cursorOf(items[items.length - 1]!) : null };
  }

  /** SHA-256 over every row of a generation in key order (see `rowsChecksum`). */
  async checksum(db: Queryable, generation: number): Promise<{ rows: number; checksum: string }> {
    const hash = createHash('sha256');
    let count = 0;
    let after: string | undefined;
    for (;;) {
      const page = await this.page(db, generation, { limit: 5_000, ...(after ? { after } : {}) });
      for (const row of page.items) hash.update(`${canonicalize(row)}\n`);
      count += page.items.length;
      if (!page.next) break;
      after = page.next;
    }
    return { rows: count, checksum: hash.digest('hex') };
  }

  cursorOf(row: JsonObject): string {
    return encodeCursor(keyOf(this.model, row));
  }

  private toRecord(row: JsonObject): Record<string, JsonValue> {
    const record: Record<string, JsonValue> = {};
    for (const column of this.model.columns) record[snakeCase(column.field)] = row[column.field] ?? null;
    return record;
  }

  private fromRecord(record: Record<string, unknown>): JsonObject {
    const row: JsonObject = {};
    for (const column of this.model.columns) {
      const value = record[snakeCase(column.field)];
      row[column.field] =
        value === null || value === undefined
          ? null
          : column.type === 'bigint'
            ? Number(value)
            : (value as JsonValue);
    }
    return row;
  }
}

/** SHA-256 over rows (already in key order), one RFC 8785 line each: equal rows give equal checksums. */
export function rowsChecksum(rows: Iterable<JsonObject>): { rows: number; checksum: string } {
  const hash = createHash('sha256');
  let count = 0;
  for (const row of rows) {
    hash.update(`${canonicalize(row)}\n`);
    count += 1;
  }
  return { rows: count, checksum: hash.digest('hex') };
}

/** The same page as `ModelTable.page`, over rows held in memory (an as-of state). */
export function pageRows(model: ReadModel, rows: readonly JsonObject[], query: RowQuery): RowPage {
  const limit = query.limit ?? 100;
  const after = query.after !== undefined ? decodeCursor(query.after, model.key.length) : undefined;
  const where = Object.entries(query.where ?? {}).filter(([, value]) => value !== undefined);
  const items: JsonObject[] = [];
  let more = false;
  for (const row of rows) {
    if (where.some(([field, value]) => row[field] !== value)) continue;
    if (after && compareKeys(keyOf(model, row), after) <= 0) continue;
    if (items.length === limit) {
      more = true;
      break;
    }
    items.push(row);
  }
  const last = items[items.length - 1];
  return {
    items,
    next: more && last ? encodeCursor(keyOf(model, last)) : null,
  };
}

/** A row's key values; key fields are text. */
function keyOf(model: ReadModel, row: JsonObject): string[] {
  return model.key.map((field) => {
    const value = row[field];
    if (typeof value !== 'string') throw new Error(`${model.name}: key field ${field} is not text`);
    return value;
  });
}

/** Code-point order, the order of `COLLATE "C"` on the key columns. */
function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i += 1) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, length: number): string[] {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(key) && key.length === length && key.every((part) => typeof part === 'string')) {
      return key;
    }
  } catch {
    // fall through
  }
  throw new InvalidCursorError();
}
