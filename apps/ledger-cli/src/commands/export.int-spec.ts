import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKey, verifyLedger, type AuditReport } from '@ledger/audit';
import { createTestDatabase, type TestDatabase } from '@ledger/database/testing';
import {
  canonicalize,
  PostgresEventStore,
  sealEntry,
  sha256Hex,
  type LedgerEntry,
} from '@ledger/event-store';
import { fillLedger, storeCheckpoints, storeKey } from '../../../../libs/audit/src/testing/audit-fixture.js';
import { runExport } from './export.js';
import { runVerify } from './verify.js';
import { captureIo } from '../testing/capture-io.js';

const TIME = '2026-11-29T22:00:00.000Z';

describe('ledger export, and verify after tampering with the database itself', () => {
  let db: TestDatabase;
  let work: string;
  let pem: string;
  let original: { position: number; entry: string; hash: Buffer }[];
  const key = generateSigningKey('2026-11-01T00:00:00.000Z');
  let exports = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    await fillLedger(db.url, db.pool, 40);
    await storeKey(db.pool, key);
    await storeCheckpoints(db.pool, key, [10, 20, 40], TIME);
    work = await mkdtemp(join(tmpdir(), 'ledger-export-'));
    pem = join(work, 'service.pem');
    await writeFile(pem, key.publicKeyPem);
    original = (await db.pool.query('SELECT position::int, entry, hash FROM ledger ORDER BY position')).rows;
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
    await db.close();
  });

  /** Changes ledger rows as a superuser would, with the append-only triggers off for the while. */
  async function tamper(sql: string, values: unknown[]): Promise<void> {
    await db.superuser.query('ALTER TABLE ledger DISABLE TRIGGER ALL');
    try {
      await db.superuser.query(sql, values);
    } finally {
      await db.superuser.query('ALTER TABLE ledger ENABLE TRIGGER ALL');
    }
  }
  afterEach(async () => {
    // Put every row back as it was sealed, so that each case starts from the clean ledger.
    await db.superuser.query('ALTER TABLE ledger DISABLE TRIGGER ALL');
    try {
      const { rows } = await db.superuser.query<{ position: number }>('SELECT position::int FROM ledger');
      const present = new Set(rows.map((row) => row.position));
      for (const row of original) {
        if (present.has(row.position)) {
          await db.superuser.query('UPDATE ledger SET entry = $2, hash = $3 WHERE position = $1', [
            row.position,
            row.entry,
            row.hash,
          ]);
        }
      }
    } finally {
      await db.superuser.query('ALTER TABLE ledger ENABLE TRIGGER ALL');
    }
  });

  async function exportNow(): Promise<string> {
    const dir = join(work, `bundle-${++exports}`);
    const { io, out } = captureIo();
    expect(await runExport([dir], { DATABASE_URL: db.url }, io, () => new Date(TIME))).toBe(0);
    expect(out[0]).toContain(dir);
    return dir;
  }

  async function verifyBundle(dir: string): Promise<string | undefined> {
    const { io, out } = captureIo();
    await runVerify([dir, '--pin-key', pem], io);
    return out.find((line) => line.startsWith('FAILED'));
  }

  /** What GET /v1/audit/verify does: the same verification over the stored rows, hashes included. */
  async function verifyDatabase(): Promise<AuditReport> {
    const store = new PostgresEventStore(db.pool);
    const checkpoints = (
      await db.pool.query(
        'SELECT size::int, ledger_id, head_hash, merkle_root, time, key_id, signature FROM audit_checkpoints',
      )
    ).rows.map((row) => ({
      size: row.size,
      ledgerId: row.ledger_id,
      headHash: row.head_hash,
      merkleRoot: row.merkle_root,
      time: (row.time as Date).toISOString(),
      keyId: row.key_id,
      signature: row.signature,
    }));
    return verifyLedger({
      ledgerId: await store.ledgerId(),
      entries: store.readEntries(),
      checkpoints,
      trustedKeys: [key],
    });
  }

  const edited = (position: number) => {
    const entry = JSON.parse(original[position - 1]!.entry) as LedgerEntry;
    entry.event.data = { ...entry.event.data, quantity: 1_000_000 };
    return canonicalize(entry);
  };

  it('exports a bundle that verifies: every entry, the checkpoints, the key, a manifest', async () => {
    const dir = await exportNow();
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({
      format: 'supply-ledger/audit-bundle/v1',
      size: 40,
      headHash: original[39]!.hash.toString('hex'),
      createdAt: TIME,
    });
    const events = await readFile(join(dir, 'events.jsonl'), 'utf8');
    expect(events).toBe(original.map((row) => `${row.entry}\n`).join(''));
    expect(JSON.parse(await readFile(join(dir, 'checkpoints.json'), 'utf8'))).toHaveLength(3);
    expect(JSON.parse(await readFile(join(dir, 'keys.json'), 'utf8'))).toEqual([
      { keyId: key.keyId, publicKeyPem: key.publicKeyPem, createdAt: key.createdAt, retiredAt: null },
    ]);
    expect(await verifyBundle(dir)).toBeUndefined();
    expect(await verifyDatabase()).toMatchObject({ ok: true, size: 40, checkpointsVerified: 3 });
  });

  it('refuses to overwrite a bundle without --force, and replaces it with', async () => {
    const dir = await exportNow();
    const { io, err } = captureIo();
    expect(await runExport([dir], { DATABASE_URL: db.url }, io)).toBe(1);
    expect(err.join('\n')).toContain('--force');
    expect(await runExport([dir, '--force'], { DATABASE_URL: db.url }, captureIo().io)).toBe(0);
  });

  it('exits 2 on usage errors', async () => {
    expect(await runExport([], {}, captureIo().io)).toBe(2);
    expect(await runExport(['a', 'b'], {}, captureIo().io)).toBe(2);
    expect(await runExport(['a', '--bogus'], {}, captureIo().io)).toBe(2);
    expect(await runExport(['a'], { DATABASE_URL: 'mysql://x' }, captureIo().io)).toBe(2);
  });

  it('an entry updated in place: EVENT_EDITED at 15, in the bundle and in the database', async () => {
    await tamper('UPDATE ledger SET entry = $2 WHERE position = $1', [15, edited(15)]);
    expect(await verifyBundle(await exportNow())).toMatch(/^FAILED EVENT_EDITED at position 15: /);
    expect((await verifyDatabase()).fault).toMatchObject({ code: 'EVENT_EDITED', position: 15 });
  });

  it('an entry and its hash updated: EVENT_EDITED at 15, in the bundle and in the database', async () => {
    const entry = edited(15);
    await tamper('UPDATE ledger SET entry = $2, hash = $3 WHERE position = $1', [
      15,
      entry,
      Buffer.from(sha256Hex(entry), 'hex'),
    ]);
    expect(await verifyBundle(await exportNow())).toMatch(/^FAILED EVENT_EDITED at position 15: /);
    expect((await verifyDatabase()).fault).toMatchObject({ code: 'EVENT_EDITED', position: 15 });
  });

  it('only a stored hash changed: the bundle (bytes only) verifies, the database reports ENTRY_HASH_MISMATCH at 15', async () => {
    await tamper('UPDATE ledger SET hash = $2 WHERE position = $1', [15, Buffer.alloc(32)]);
    expect(await verifyBundle(await exportNow())).toBeUndefined();
    expect((await verifyDatabase()).fault).toMatchObject({ code: 'ENTRY_HASH_MISMATCH', position: 15 });
  });

  it('an entry edited and every later entry re-sealed: CHECKPOINT_MISMATCH at 11, in the bundle and in the database', async () => {
    let prev = original[13]!.hash.toString('hex');
    for (let position = 15; position <= 40; position++) {
      const entry = JSON.parse(position === 15 ? edited(15) : original[position - 1]!.entry) as LedgerEntry;
      const sealed = sealEntry(position, prev, entry.event);
      await tamper('UPDATE ledger SET entry = $2, hash = $3 WHERE position = $1', [
        position,
        sealed.entry,
        Buffer.from(sealed.hash, 'hex'),
      ]);
      prev = sealed.hash;
    }
    expect(await verifyBundle(await exportNow())).toMatch(
      /^FAILED CHECKPOINT_MISMATCH at position 11: .*11\.\.20/,
    );
    expect((await verifyDatabase()).fault).toMatchObject({ code: 'CHECKPOINT_MISMATCH', position: 11 });
  });

  it('a row deleted: EVENT_DELETED at 15, in the bundle and in the database', async () => {
    await tamper('DELETE FROM ledger WHERE position = $1', [15]);
    try {
      expect(await verifyBundle(await exportNow())).toMatch(/^FAILED EVENT_DELETED at position 15: /);
      expect((await verifyDatabase()).fault).toMatchObject({ code: 'EVENT_DELETED', position: 15 });
    } finally {
      const row = original[14]!;
      const eventId = (JSON.parse(row.entry) as LedgerEntry).event.eventId;
      await tamper('INSERT INTO ledger (position, event_id, hash, entry) VALUES ($1, $2, $3, $4)', [
        15,
        eventId,
        row.hash,
        row.entry,
      ]);
    }
  });
});

describe('ledger export from a database without the audit tables', () => {
  it('writes a bundle with no checkpoints and no keys, which verifies', async () => {
    const db = await createTestDatabase();
    const work = await mkdtemp(join(tmpdir(), 'ledger-export-'));
    try {
      await fillLedger(db.url, db.pool, 5);
      await db.superuser.query('DROP TABLE audit_checkpoints');
      await db.superuser.query('DROP TABLE audit_keys');
      const dir = join(work, 'bundle');
      expect(await runExport([dir], { DATABASE_URL: db.url }, captureIo().io)).toBe(0);
      expect(JSON.parse(await readFile(join(dir, 'checkpoints.json'), 'utf8'))).toEqual([]);
      expect(JSON.parse(await readFile(join(dir, 'keys.json'), 'utf8'))).toEqual([]);
      const { io, out } = captureIo();
      expect(await runVerify([dir], io)).toBe(0);
      expect(out.join('\n')).toMatch(/entries verified {2}5/);
    } finally {
      await rm(work, { recursive: true, force: true });
      await db.close();
    }
  });
});
