import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import {
  exportBundle,
  generateSigningKey,
  merkleRoot,
  signCheckpoint,
  type SignedCheckpoint,
} from '@ledger/audit';
import { createTestDatabase, type TestDatabase } from '@ledger/database/testing';
import { canonicalize, sealEntry, type LedgerEntry } from '@ledger/event-store';
import { fillLedger, storeCheckpoints, storeKey } from '../../../../libs/audit/src/testing/audit-fixture.js';
import { runVerify } from './verify.js';
import { captureIo } from '../testing/capture-io.js';

const EVENTS = 40;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const TIME = '2026-11-29T22:00:00.000Z';

/** Runs `ledger verify` and keeps what it printed. */
async function verify(...argv: string[]) {
  const { io, out, err } = captureIo();
  const code = await runVerify(argv, io);
  return {
    code,
    out: out.join('\n'),
    err: err.join('\n'),
    failed: out.find((line) => line.startsWith('FAILED')),
  };
}

describe('ledger verify on a bundle exported from a real ledger', () => {
  let db: TestDatabase;
  let other: TestDatabase;
  let work: string;
  let base: string;
  let foreign: string;
  let pem: string;
  let keyId: string;
  let saved: string;
  let lines: string[];
  const key = generateSigningKey('2026-11-01T00:00:00.000Z');
  const intruder = generateSigningKey('2026-11-01T00:00:00.000Z');
  let checkpoints: SignedCheckpoint[];

  beforeAll(async () => {
    db = await createTestDatabase();
    other = await createTestDatabase();
    await fillLedger(db.url, db.pool, EVENTS);
    await fillLedger(other.url, other.pool, 12);
    await storeKey(db.pool, key);
    checkpoints = await storeCheckpoints(db.pool, key, [10, 20], TIME);
    work = await mkdtemp(join(tmpdir(), 'ledger-verify-'));
    base = join(work, 'base');
    foreign = join(work, 'foreign');
    await exportBundle(db.pool, base, { createdAt: TIME });
    await exportBundle(other.pool, foreign, { createdAt: TIME });
    pem = join(work, 'service.pem');
    await writeFile(pem, key.publicKeyPem);
    keyId = key.keyId;
    // What a careful auditor kept: the checkpoint of the whole ledger, taken when the ledger had 40 entries.
    const [whole] = await storeCheckpoints(db.pool, key, [EVENTS], TIME);
    saved = join(work, 'saved.json');
    await writeFile(saved, JSON.stringify([checkpoints[0], whole]));
    lines = (await readFile(join(base, 'events.jsonl'), 'utf8')).trimEnd().split('\n');
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
    await db.close();
    await other.close();
  });

  let copies = 0;
  /** A copy of the clean bundle with its events replaced (and optionally its checkpoints and keys). */
  async function tampered(
    events: string[],
    change: { checkpoints?: SignedCheckpoint[]; keys?: unknown[] } = {},
  ): Promise<string> {
    const dir = join(work, `copy-${++copies}`);
    await cp(base, dir, { recursive: true });
    await writeFile(join(dir, 'events.jsonl'), events.map((line) => `${line}\n`).join(''));
    if (change.checkpoints)
      await writeFile(join(dir, 'checkpoints.json'), JSON.stringify(change.checkpoints));
    if (change.keys) await writeFile(join(dir, 'keys.json'), JSON.stringify(change.keys));
    return dir;
  }

  /** What a thorough forger does last: a manifest that matches the forged files. */
  async function forgeManifest(dir: string): Promise<void> {
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    const events = (await readFile(join(dir, 'events.jsonl'), 'utf8')).trimEnd().split('\n');
    const digest = async (name: string) => {
      const bytes = await readFile(join(dir, name));
      return { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
    };
    Object.assign(manifest, {
      size: events.length,
      headHash: sha256(events.at(-1)!),
      merkleRoot: merkleRoot(events),
      files: {
        'events.jsonl': await digest('events.jsonl'),
        'checkpoints.json': await digest('checkpoints.json'),
        'keys.json': await digest('keys.json'),
      },
    });
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
  }

  const parse = (line: string) => JSON.parse(line) as LedgerEntry;
  const edit = (line: string) => {
    const entry = parse(line);
    entry.event.data = { ...entry.event.data, quantity: 1_000_000 };
    return canonicalize(entry);
  };
  /** Entry 15 edited and every entry from it re-sealed: the chain is whole again, only checkpoints remember. */
  const resealedFrom15 = () => {
    const out = lines.slice(0, 14);
    let prev = sha256(lines[13]!);
    for (let i = 14; i < lines.length; i++) {
      const entry = parse(i === 14 ? edit(lines[i]!) : lines[i]!);
      const sealed = sealEntry(i + 1, prev, entry.event);
      out.push(sealed.entry);
      prev = sealed.hash;
    }
    return out;
  };

  it('verifies the clean bundle against a pinned key file, with its checkpoints and the saved ones', async () => {
    const result = await verify(base, '--pin-key', pem, '--checkpoints', saved);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/entries verified {2}40/);
    expect(result.out).toContain('4 verified (the bundle has 2, you saved 2)');
    expect(result.out.split('\n').at(-1)).toBe('OK');
    expect(result.err).toBe('');
  });

  it('verifies the clean bundle against a key pinned by its id', async () => {
    expect((await verify(base, '--pin-key', keyId)).code).toBe(0);
  });

  it("without a pinned key trusts the bundle's keys.json and says so loudly", async () => {
    const result = await verify(base);
    expect(result.code).toBe(0);
    expect(result.err).toMatch(/^WARNING: no --pin-key/);
    expect(result.out).toContain("UNPINNED: the bundle's own keys.json");
  });

  it('prints the report as JSON with --json', async () => {
    const result = await verify(base, '--pin-key', pem, '--json');
    expect(JSON.parse(result.out)).toMatchObject({
      ok: true,
      size: EVENTS,
      verifiedThrough: EVENTS,
      checkpointsVerified: 2,
    });
  });

  it('reports an edited event at its position: EVENT_EDITED at 15', async () => {
    const events = [...lines];
    events[14] = edit(events[14]!);
    const result = await verify(await tampered(events), '--pin-key', pem);
    expect(result.code).toBe(1);
    expect(result.failed).toMatch(/^FAILED EVENT_EDITED at position 15: /);
  });

  it('reports an edited event whose hashes were recomputed through the end at the checkpoint: CHECKPOINT_MISMATCH at 11', async () => {
    const result = await verify(await tampered(resealedFrom15()), '--pin-key', pem);
    expect(result.code).toBe(1);
    expect(result.failed).toMatch(/^FAILED CHECKPOINT_MISMATCH at position 11: .*11\.\.20/);
  });

  it('reports a deleted event: EVENT_DELETED at 15', async () => {
    const result = await verify(await tampered(lines.filter((_, i) => i !== 14)), '--pin-key', pem);
    expect(result.failed).toMatch(/^FAILED EVENT_DELETED at position 15: /);
  });

  it('reports an inserted event: EVENT_INSERTED at 15', async () => {
    const forged = sealEntry(15, parse(lines[14]!).prevHash, {
      ...parse(lines[14]!).event,
      eventId: 'forged',
    }).entry;
    const events = [...lines.slice(0, 14), forged, ...lines.slice(14)];
    const result = await verify(await tampered(events), '--pin-key', pem);
    expect(result.failed).toMatch(/^FAILED EVENT_INSERTED at position 15: /);
  });

  it('reports two swapped events: EVENTS_SWAPPED at 15', async () => {
    const events = [...lines];
    [events[14], events[15]] = [events[15]!, events[14]!];
    const result = await verify(await tampered(events), '--pin-key', pem);
    expect(result.failed).toMatch(/^FAILED EVENTS_SWAPPED at position 15: /);
  });

  it('reports a truncated tail against a checkpoint saved earlier: TRUNCATED_TAIL at 36', async () => {
    const result = await verify(await tampered(lines.slice(0, 35)), '--pin-key', pem, '--checkpoints', saved);
    expect(result.failed).toMatch(
      /^FAILED TRUNCATED_TAIL at position 36: a saved checkpoint covers 40 entries/,
    );
  });

  it('passes a truncated tail with no checkpoint beyond it except through the manifest: MANIFEST_MISMATCH at 36', async () => {
    const result = await verify(await tampered(lines.slice(0, 35)), '--pin-key', pem);
    expect(result.failed).toMatch(/^FAILED MANIFEST_MISMATCH at position 36: /);
  });

  describe('a history rewritten and re-signed with another key', () => {
    let rewritten: string;
    beforeAll(async () => {
      const events = resealedFrom15();
      const entries = events.map((line) => Buffer.from(line));
      const resign = (size: number) =>
        signCheckpoint(
          {
            ledgerId: checkpoints[0]!.ledgerId,
            size,
            headHash: sha256(events[size - 1]!),
            merkleRoot: merkleRoot(entries.slice(0, size)),
            time: TIME,
          },
          intruder,
        );
      const keys = [{ keyId: intruder.keyId, publicKeyPem: intruder.publicKeyPem, createdAt: TIME }];
      rewritten = await tampered(events, { checkpoints: [checkpoints[0]!, resign(20)], keys });
    });

    it('is refused against the pinned key: CHECKPOINT_KEY_UNTRUSTED at 11', async () => {
      const result = await verify(rewritten, '--pin-key', pem);
      expect(result.failed).toMatch(
        new RegExp(`^FAILED CHECKPOINT_KEY_UNTRUSTED at position 11: .*${intruder.keyId}`),
      );
    });

    it('is caught, unpinned, by a checkpoint the auditor saved of the same size: HISTORY_REWRITTEN at 11', async () => {
      // The forger publishes its key next to the service's, so the bundle's keys.json vouches for both.
      const dir = await tampered(
        await readFile(join(rewritten, 'events.jsonl'), 'utf8').then((t) => t.trimEnd().split('\n')),
        {
          checkpoints: JSON.parse(await readFile(join(rewritten, 'checkpoints.json'), 'utf8')),
          keys: [
            { keyId: key.keyId, publicKeyPem: key.publicKeyPem, createdAt: key.createdAt },
            { keyId: intruder.keyId, publicKeyPem: intruder.publicKeyPem, createdAt: TIME },
          ],
        },
      );
      await forgeManifest(dir);
      expect((await verify(dir)).code).toBe(0); // nothing to hold it against: why pins and saved copies matter
      const savedBoth = join(work, 'saved-10-20.json');
      await writeFile(savedBoth, JSON.stringify(checkpoints));
      const result = await verify(dir, '--checkpoints', savedBoth);
      expect(result.failed).toMatch(
        /^FAILED HISTORY_REWRITTEN at position 11: the saved checkpoint of size 20 .* disagree/,
      );
    });
  });

  it('reports a bundle from another ledger: LEDGER_MISMATCH at 1', async () => {
    const result = await verify(foreign, '--checkpoints', saved);
    expect(result.failed).toMatch(
      /^FAILED LEDGER_MISMATCH at position 1: entry 1 links to .* another ledger/,
    );
    const byId = await verify(foreign, '--ledger-id', checkpoints[0]!.ledgerId);
    expect(byId.failed).toMatch(/^FAILED LEDGER_MISMATCH at position 1: /);
  });

  it('reports a checkpoint removed from the bundle through the manifest: MANIFEST_MISMATCH at 0', async () => {
    const result = await verify(await tampered(lines, { checkpoints: [checkpoints[0]!] }), '--pin-key', pem);
    expect(result.failed).toMatch(
      /^FAILED MANIFEST_MISMATCH at position 0: checkpoints.json is not the file/,
    );
  });

  it('reports a bundle it cannot read: BUNDLE_INVALID', async () => {
    const dir = await tampered(lines);
    await rm(join(dir, 'manifest.json'));
    const result = await verify(dir, '--pin-key', pem);
    expect(result.code).toBe(1);
    expect(result.failed).toMatch(/^FAILED BUNDLE_INVALID at position 0: manifest.json: ENOENT/);
  });

  it('exits 2 on usage errors', async () => {
    expect((await verify()).code).toBe(2);
    expect((await verify(base, '--bogus')).code).toBe(2);
    expect((await verify(base, '--pin-key')).code).toBe(2);
    expect((await verify(base, '--pin-key', join(work, 'missing.pem'))).code).toBe(2);
    expect((await verify(base, '--checkpoints', join(work, 'missing.json'))).code).toBe(2);
    expect((await verify('--help')).code).toBe(0);
  });
});
