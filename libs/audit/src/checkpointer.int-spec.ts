import { createTestDatabase, type TestDatabase } from '@ledger/database/testing';
import { LedgerSignals, PostgresEventStore, Sequencer } from '@ledger/event-store';
import { anEvent } from '../../../test/support/events.js';
import { generateSigningKey, verifyCheckpointSignature, type SigningKey } from './checkpoint.js';
import {
  Checkpointer,
  HistoryChangedError,
  readCheckpoints,
  readPublicKeys,
  SigningKeyRetiredError,
  type CheckpointerOptions,
  type SigningKeyRing,
} from './checkpointer.js';
import { merkleRoot } from './merkle.js';
import { verifyLedger } from './verify-ledger.js';

class MemoryKeyRing implements SigningKeyRing {
  constructor(private key: SigningKey = generateSigningKey(new Date().toISOString())) {}
  current(): SigningKey {
    return this.key;
  }
  rotate(createdAt: string): SigningKey {
    this.key = generateSigningKey(createdAt);
    return this.key;
  }
}

describe('the checkpointer', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let sequencer: Sequencer;
  const checkpointers: Checkpointer[] = [];

  beforeEach(async () => {
    db = await createTestDatabase();
    const signals = new LedgerSignals();
    store = new PostgresEventStore(db.pool, { signals });
    sequencer = new Sequencer(db.url, { signals });
    sequencer.start();
  });
  afterEach(async () => {
    await Promise.all(checkpointers.splice(0).map((c) => c.stop()));
    await sequencer.stop();
    await db.close();
  });

  function checkpointer(options: Partial<CheckpointerOptions> = {}): Checkpointer {
    const created = new Checkpointer({
      pool: db.pool,
      store,
      keys: new MemoryKeyRing(),
      intervalMs: 0,
      pageSize: 7, // several pages even for a small ledger
      ...options,
    });
    checkpointers.push(created);
    created.start();
    return created;
  }

  async function append(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const event = anEvent('Tested', { n: i });
      await store.append({ streamId: `test-${i % 3}`, expectedVersion: 'any', events: [event] });
      await store.waitForStamped([event.eventId!]);
    }
  }

  async function entries() {
    const all = [];
    for await (const entry of store.readEntries()) all.push(entry);
    return all;
  }

  /** The service's own verification: every stored entry, checkpoint and published key. */
  async function audit() {
    return verifyLedger({
      ledgerId: await store.ledgerId(),
      entries: store.readEntries(),
      checkpoints: await readCheckpoints(db.pool, { limit: 1000, order: 'asc' }),
      trustedKeys: await readPublicKeys(db.pool),
    });
  }

  /** As a superuser with the triggers off, the way someone with the database's keys could. */
  async function tamper(table: string, sql: string): Promise<void> {
    await db.superuser.query(`ALTER TABLE ${table} DISABLE TRIGGER ALL`);
    try {
      await db.superuser.query(sql);
    } finally {
      await db.superuser.query(`ALTER TABLE ${table} ENABLE TRIGGER ALL`);
    }
  }

  it('signs the size, head and RFC 6962 root of the stamped ledger with a published key', async () => {
    const keys = new MemoryKeyRing();
    const signer = checkpointer({ keys });
    await expect(signer.checkpoint()).resolves.toEqual({ signed: false, checkpoint: null });
    await append(11);
    const result = await signer.checkpoint();

    expect(result.signed).toBe(true);
    const checkpoint = result.checkpoint!;
    const stored = await entries();
    expect(checkpoint).toMatchObject({
      ledgerId: await store.ledgerId(),
      size: 11,
      headHash: (await store.head()).hash,
      merkleRoot: merkleRoot(stored.map((e) => e.entry)),
      keyId: keys.current().keyId,
    });
    expect(verifyCheckpointSignature(checkpoint, keys.current().publicKeyPem)).toBe(true);
    expect(await readCheckpoints(db.pool, { limit: 10, order: 'asc' })).toEqual([checkpoint]);
    expect(await readPublicKeys(db.pool)).toEqual([
      {
        keyId: keys.current().keyId,
        publicKeyPem: keys.current().publicKeyPem,
        createdAt: keys.current().createdAt,
        retiredAt: null,
      },
    ]);
    expect(await audit()).toMatchObject({ ok: true, size: 11, checkpointsVerified: 1 });
  });

  it('signs again only when the ledger grew, reading only what was added', async () => {
    await append(5);
    const signer = checkpointer({ fullVerifyIntervalMs: 3_600_000 });
    const first = await signer.checkpoint();
    const again = await signer.checkpoint();
    expect(again).toEqual({ signed: false, checkpoint: first.checkpoint });

    await append(9);
    const second = await signer.checkpoint();
    expect(second).toMatchObject({ signed: true, checkpoint: { size: 14 } });
    expect(second.checkpoint!.merkleRoot).toBe(merkleRoot((await entries()).map((e) => e.entry)));
    expect(Date.parse(second.checkpoint!.time)).toBeGreaterThanOrEqual(Date.parse(first.checkpoint!.time));
    expect(await audit()).toMatchObject({ ok: true, size: 14, checkpointsVerified: 2 });
  });

  it('signs nothing for an empty ledger', async () => {
    await expect(checkpointer().checkpoint()).resolves.toEqual({ signed: false, checkpoint: null });
  });

  it('keeps checkpoints signed before a key rotation verifiable with the retired key', async () => {
    await append(4);
    const keys = new MemoryKeyRing();
    const signer = checkpointer({ keys });
    const before = (await signer.checkpoint()).checkpoint!;
    const oldKey = keys.current();

    const rotation = await signer.rotateKey();
    expect(rotation.current.keyId).not.toBe(oldKey.keyId);
    expect(rotation.retired).toEqual([expect.objectContaining({ keyId: oldKey.keyId })]);
    expect(Date.parse(rotation.retired[0]!.retiredAt!)).toBeGreaterThanOrEqual(Date.parse(before.time));

    await append(3);
    const after = (await signer.checkpoint()).checkpoint!;
    expect(after.keyId).toBe(rotation.current.keyId);
    expect(verifyCheckpointSignature(before, oldKey.publicKeyPem)).toBe(true);
    expect(verifyCheckpointSignature(after, keys.current().publicKeyPem)).toBe(true);
    expect((await readPublicKeys(db.pool)).map((k) => [k.keyId, k.retiredAt === null])).toEqual(
      expect.arrayContaining([
        [oldKey.keyId, false],
        [rotation.current.keyId, true],
      ]),
    );
    expect(await audit()).toMatchObject({ ok: true, size: 7, checkpointsVerified: 2 });
  });

  it('refuses to sign with a key that was retired, and the database refuses to un-retire it', async () => {
    await append(2);
    const shared = new MemoryKeyRing();
    const oldKey = shared.current();
    const stale = checkpointer({ keys: new MemoryKeyRing(oldKey) });
    await stale.checkpoint();
    await checkpointer({ keys: shared }).rotateKey();

    await append(1);
    await expect(stale.checkpoint()).rejects.toBeInstanceOf(SigningKeyRetiredError);
    expect(stale.status()).toMatchObject({ state: 'refusing', historyIntact: true });
    await expect(
      db.pool.query('UPDATE audit_keys SET retired_at = NULL WHERE key_id = $1', [oldKey.keyId]),
    ).rejects.toThrow(/can only be retired/);
    await expect(db.pool.query('DELETE FROM audit_checkpoints')).rejects.toThrow(/append-only/);
  });

  it('never stores two checkpoints of one size when two instances sign at once', async () => {
    const keys = new MemoryKeyRing();
    const a = checkpointer({ keys, fullVerifyIntervalMs: 3_600_000 });
    const b = checkpointer({ keys, fullVerifyIntervalMs: 3_600_000 });
    await Promise.all([a.checkpoint(), b.checkpoint()]); // after their first rounds, on the empty ledger
    const results = [];
    for (let round = 0; round < 8; round++) {
      await append(3);
      const settled = await Promise.allSettled([a.checkpoint(), b.checkpoint(), a.checkpoint()]);
      for (const outcome of settled) if (outcome.status === 'fulfilled') results.push(outcome.value);
    }
    const stored = await readCheckpoints(db.pool, { limit: 100, order: 'asc' });
    expect(stored.map((c) => c.size)).toEqual([3, 6, 9, 12, 15, 18, 21, 24]);
    // Every answer names the one stored checkpoint of its size.
    for (const result of results) {
      expect(stored).toContainEqual(result.checkpoint);
    }
    expect(results.filter((r) => r.signed)).toHaveLength(8);
    expect(await audit()).toMatchObject({ ok: true, size: 24, checkpointsVerified: 8 });
  });

  describe('when the stored history changed', () => {
    const intact: boolean[] = [];
    const refusals: string[] = [];
    let signer: Checkpointer;

    beforeEach(async () => {
      intact.length = 0;
      refusals.length = 0;
      await append(10);
      signer = checkpointer({
        fullVerifyIntervalMs: 3_600_000,
        observer: { integrity: (ok) => intact.push(ok), refused: (reason) => refusals.push(reason) },
      });
      await signer.checkpoint();
      await append(2);
    });

    it('refuses to sign an edited entry, found by the full verification', async () => {
      await tamper('ledger', `UPDATE ledger SET entry = replace(entry, '"n":3', '"n":4') WHERE position = 4`);

      const refused = await signer.checkpoint({ full: true }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(HistoryChangedError);
      expect((refused as HistoryChangedError).fault).toMatchObject({ code: 'EVENT_EDITED', position: 4 });
      expect(signer.status()).toMatchObject({
        state: 'refusing',
        historyIntact: false,
        fault: { code: 'EVENT_EDITED', position: 4 },
      });
      expect(intact.at(-1)).toBe(false);
      expect(refusals).toEqual(['EVENT_EDITED']);
      expect((await readCheckpoints(db.pool, { limit: 10, order: 'asc' })).map((c) => c.size)).toEqual([10]);
      // Refusing is sticky: a plain periodic round verifies from genesis again and still refuses.
      await expect(signer.checkpoint()).rejects.toBeInstanceOf(HistoryChangedError);
      expect(refusals).toEqual(['EVENT_EDITED', 'EVENT_EDITED']);
    });

    it('refuses an entry rewritten with its hash recomputed: the next entry still names the old one', async () => {
      await tamper(
        'ledger',
        `UPDATE ledger SET entry = replace(entry, '"n":3', '"n":4'),
                hash = sha256(convert_to(replace(entry, '"n":3', '"n":4'), 'UTF8')) WHERE position = 4`,
      );
      await expect(signer.checkpoint({ full: true })).rejects.toMatchObject({
        fault: { code: 'EVENT_EDITED', position: 4 },
      });
    });

    it('notices at once, without a full verification, when the last verified entry changed', async () => {
      await tamper(
        'ledger',
        `UPDATE ledger SET entry = replace(entry, '"n":9', '"n":8') WHERE position = 10`,
      );
      await expect(signer.checkpoint()).rejects.toMatchObject({
        fault: { code: 'ENTRY_CHANGED', position: 10 },
      });
      expect(signer.status().historyIntact).toBe(false);
    });

    it('notices at once when the stored checkpoint changed', async () => {
      await tamper('audit_checkpoints', `UPDATE audit_checkpoints SET merkle_root = repeat('0', 64)`);
      await expect(signer.checkpoint()).rejects.toMatchObject({
        fault: { code: 'CHECKPOINT_CHANGED', position: 10 },
      });
    });

    it('never signs an entry edited between two full verifications: it signs what it verified', async () => {
      const original = (await entries()).map((e) => e.entry);
      await tamper('ledger', `UPDATE ledger SET entry = replace(entry, '"n":3', '"n":4') WHERE position = 4`);

      const signed = await signer.checkpoint();
      expect(signed).toMatchObject({
        signed: true,
        checkpoint: { size: 12, merkleRoot: merkleRoot(original) },
      });
      await expect(signer.checkpoint({ full: true })).rejects.toMatchObject({
        fault: { code: 'EVENT_EDITED', position: 4 },
      });
    });

    it('refuses a truncated ledger', async () => {
      await tamper('ledger', 'DELETE FROM ledger WHERE position > 5');
      await expect(signer.checkpoint({ full: true })).rejects.toMatchObject({
        fault: { code: 'TRUNCATED_TAIL', position: 6 },
      });
    });

    it('signs again once the history verifies again', async () => {
      await tamper('ledger', `UPDATE ledger SET entry = replace(entry, '"n":3', '"n":4') WHERE position = 4`);
      await expect(signer.checkpoint({ full: true })).rejects.toBeInstanceOf(HistoryChangedError);
      await tamper('ledger', `UPDATE ledger SET entry = replace(entry, '"n":4', '"n":3') WHERE position = 4`);

      await expect(signer.checkpoint()).resolves.toMatchObject({ signed: true, checkpoint: { size: 12 } });
      expect(signer.status()).toMatchObject({ state: 'ready', historyIntact: true, fault: null });
      expect(intact.at(-1)).toBe(true);
    });
  });

  it('verifies the whole ledger on start and signs when it grew', async () => {
    await append(6);
    const signed: number[] = [];
    const signer = checkpointer({ intervalMs: 50, observer: { signed: (c) => signed.push(c.size) } });
    for (let i = 0; i < 200 && signer.status().state !== 'ready'; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(signed).toEqual([6]);
    expect(signer.status()).toMatchObject({ state: 'ready', verifiedThrough: 6, historyIntact: true });
    await signer.stop();
    await expect(signer.checkpoint()).rejects.toThrow(/stopped/);
  });

  it('signing on demand only, verifies on start and signs nothing until asked', async () => {
    await append(3);
    const signed: number[] = [];
    const signer = checkpointer({ intervalMs: 0, observer: { signed: (c) => signed.push(c.size) } });
    await expect(signer.checkpoint()).resolves.toMatchObject({ signed: true, checkpoint: { size: 3 } });
    expect(signed).toEqual([3]);
    expect(signer.status().lastFullVerificationAt).not.toBeNull();
  });
});
