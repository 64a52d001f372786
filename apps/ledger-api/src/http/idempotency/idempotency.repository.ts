import { Inject, Injectable } from '@nestjs/common';
import type { Database } from '@ledger/database';
import { DATABASE } from '../../database/database.module.js';

export interface StoredAnswer {
  requestHash: string;
  status: number;
  body: object;
}

@Injectable()
export class IdempotencyRepository {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  async find(actor: string, key: string): Promise<StoredAnswer | null> {
    const { rows } = await this.database.pool.query<{ request_hash: string; status: number; body: object }>(
      'SELECT request_hash, status, body FROM idempotency_keys WHERE actor = $1 AND key = $2',
      [actor, key],
    );
    const row = rows[0];
    return row ? { requestHash: row.request_hash, status: row.status, body: row.body } : null;
  }

  /** The first answer stays: a concurrent duplicate's insert is ignored. */
  async remember(actor: string, key: string, answer: StoredAnswer): Promise<void> {
    await this.database.pool.query(
      `INSERT INTO idempotency_keys (actor, key, request_hash, status, body) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (actor, key) DO NOTHING`,
      [actor, key, answer.requestHash, answer.status, JSON.stringify(answer.body)],
    );
  }
}
