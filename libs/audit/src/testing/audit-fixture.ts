import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import {
  genesisHash,
  LedgerSignals,
  PostgresEventStore,
  Sequencer,
  type NewEvent,
} from '@ledger/event-store';
import { signCheckpoint, type SignedCheckpoint, type SigningKey } from '../checkpoint.js';
import { merkleRoot } from '../merkle.js';

/** Test support: a real ledger (appended, stamped by the sequencer) and checkpoints in the audit tables. */
export async function fillLedger(url: string, pool: pg.Pool, count: number): Promise<void> {
  const signals = new LedgerSignals();
  const store = new PostgresEventStore(pool, { signals });
  const sequencer = new Sequencer(url, { signals });
  sequencer.start();
  try {
    const ids: string[] = [];
    for (let n = 1; n <= count; n += 3) {
      const events: NewEvent[] = Array.from({ length: Math.min(3, count - n + 1) }, (_, k) => {
        const eventId = randomUUID();
        ids.push(eventId);
        return {
          eventId,
          type: 'ConsignmentDispatched',
          data: {
            consignment: `c-${n + k}`,
            quantity: (n + k) * 10,
            note: n + k === 7 ? 'Müller ✓ 1.5' : 'plain',
          },
          metadata: { actor: 'fixture', role: 'admin', correlationId: 'c', causationId: 'c', commandId: 'c' },
        };
      });
      await store.append({ streamId: `consignment-${n % 4}`, expectedVersion: 'any', events });
    }
    await store.waitForStamped(ids, 30_000);
  } finally {
    await sequencer.stop();
  }
}

export async function storeKey(pool: pg.Pool, key: SigningKey): Promise<void> {
  await pool.query('INSERT INTO audit_keys (key_id, public_key_pem, created_at) VALUES ($1, $2, $3)', [
    key.keyId,
    key.publicKeyPem,
    key.createdAt,
  ]);
}

/** Signs the ledger as stored at each size, as the checkpointer would, and stores the checkpoints. */
export async function storeCheckpoints(
  pool: pg.Pool,
  key: SigningKey,
  sizes: readonly number[],
  time: string,
): Promise<SignedCheckpoint[]> {
  const store = new PostgresEventStore(pool);
  const ledgerId = await store.ledgerId();
  const rows = (
    await pool.query<{ entry: string; hash: Buffer }>('SELECT entry, hash FROM ledger ORDER BY position')
  ).rows;
  const signed: SignedCheckpoint[] = [];
  for (const size of sizes) {
    const checkpoint = signCheckpoint(
      {
        ledgerId,
        size,
        headHash: size === 0 ? genesisHash(ledgerId) : rows[size - 1]!.hash.toString('hex'),
        merkleRoot: merkleRoot(rows.slice(0, size).map((row) => row.entry)),
        time,
      },
      key,
    );
    await pool.query(
      `INSERT INTO audit_checkpoints (size, ledger_id, head_hash, merkle_root, time, key_id, signature)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [size, ledgerId, checkpoint.headHash, checkpoint.merkleRoot, time, key.keyId, checkpoint.signature],
    );
    signed.push(checkpoint);
  }
  return signed;
}
