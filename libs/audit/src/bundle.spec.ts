import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { genesisHash, sealEntry } from '@ledger/event-store';
import { BUNDLE_FORMAT, BundleError, openBundle } from './bundle.js';
import { merkleRoot } from './merkle.js';
import { verifyLedger, type AuditEntry } from './verify-ledger.js';

const LEDGER = '6f1c1f8e-4b7a-4d0e-9d5c-2f1f2a3b4c5d';

/** Entries big enough that many of them straddle the reader's 1 MiB chunks. */
function entries(count: number): string[] {
  const out: string[] = [];
  let prev = genesisHash(LEDGER);
  for (let position = 1; position <= count; position++) {
    const sealed = sealEntry(position, prev, {
      eventId: `e-${position}`,
      streamId: 's',
      streamVersion: position,
      type: 'Filler',
      schemaVersion: 1,
      data: { filler: 'x'.repeat(1_000 + (position % 97) * 37) },
      metadata: { actor: 'a', role: 'r', correlationId: 'c', causationId: 'c', commandId: 'c' },
      recordedAt: '2026-11-29T10:00:00.000Z',
    });
    out.push(sealed.entry);
    prev = sealed.hash;
  }
  return out;
}

async function writeBundle(dir: string, events: string | Buffer, lines: string[]): Promise<void> {
  const digest = (bytes: string | Buffer) => ({
    sha256: createHash('sha256').update(bytes).digest('hex'),
    bytes: Buffer.byteLength(bytes),
  });
  await writeFile(join(dir, 'events.jsonl'), events);
  await writeFile(join(dir, 'checkpoints.json'), '[]');
  await writeFile(join(dir, 'keys.json'), '[]');
  const last = lines.at(-1)!;
  await writeFile(
    join(dir, 'manifest.json'),
    JSON.stringify({
      format: BUNDLE_FORMAT,
      ledgerId: LEDGER,
      size: lines.length,
      headHash: createHash('sha256').update(last).digest('hex'),
      merkleRoot: merkleRoot(lines),
      createdAt: '2026-11-29T22:00:00.000Z',
      files: { 'events.jsonl': digest(events), 'checkpoints.json': digest('[]'), 'keys.json': digest('[]') },
    }),
  );
}

async function collect(source: AsyncIterable<AuditEntry>): Promise<AuditEntry[]> {
  const all: AuditEntry[] = [];
  for await (const entry of source) all.push(entry);
  return all;
}

describe('openBundle', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ledger-bundle-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('gives every line exactly, across chunk boundaries, and the digest of the whole file', async () => {
    const lines = entries(3_000);
    const text = lines.map((line) => `${line}\n`).join('');
    expect(text.length).toBeGreaterThan(3 * 2 ** 20);
    await writeBundle(dir, text, lines);
    const bundle = await openBundle(dir);
    const read = await collect(bundle.entries());
    expect(read.map((entry) => Buffer.from(entry.entry).toString('utf8'))).toEqual(lines);
    expect(read.map((entry) => entry.position)).toEqual(lines.map((_, i) => i + 1));
    expect(bundle.eventsDigest()).toEqual({
      sha256: createHash('sha256').update(text).digest('hex'),
      bytes: Buffer.byteLength(text),
    });
    const report = await verifyLedger({
      ledgerId: LEDGER,
      entries: (await openBundle(dir)).entries(),
      checkpoints: [],
      trustedKeys: [],
    });
    expect(report).toMatchObject({ ok: true, size: 3_000, merkleRoot: merkleRoot(lines) });
  });

  it('reads a last line that lacks its LF', async () => {
    const lines = entries(3);
    await writeBundle(dir, lines.join('\n'), lines);
    expect(await collect((await openBundle(dir)).entries())).toHaveLength(3);
  });

  it('refuses a line of more than 16 MiB instead of buffering it', async () => {
    const lines = entries(2);
    await writeBundle(
      dir,
      Buffer.concat([Buffer.from(`${lines[0]}\n`), Buffer.alloc(17 * 2 ** 20, 0x61)]),
      lines,
    );
    await expect(collect((await openBundle(dir)).entries())).rejects.toThrow(BundleError);
  });

  it('refuses a bundle without a manifest, or with files of the wrong shape', async () => {
    await expect(openBundle(dir)).rejects.toThrow(/manifest.json: ENOENT/);
    const lines = entries(1);
    await writeBundle(dir, `${lines[0]}\n`, lines);
    await writeFile(join(dir, 'checkpoints.json'), '[{"size":1}]');
    await expect(openBundle(dir)).rejects.toThrow(/checkpoint 1 lacks/);
    await writeFile(join(dir, 'checkpoints.json'), '[]');
    await writeFile(join(dir, 'keys.json'), '{}');
    await expect(openBundle(dir)).rejects.toThrow(/keys.json is not a list/);
  });
});
