import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalize, genesisHash, sealEntry, sha256Hex } from '@ledger/event-store';
import { BUNDLE_FORMAT, openBundle, type FileDigest } from './bundle.js';
import { generateSigningKey, signCheckpoint, type SignedCheckpoint } from './checkpoint.js';
import { MerkleFrontier } from './merkle.js';
import { verifyLedger, type AuditFaultCode, type AuditReport } from './verify-ledger.js';

const LEDGER = '6f1c1f8e-4b7a-4d0e-9d5c-2f1f2a3b4c5d';
const COUNT = 4_000;
const CHECKPOINT_EVERY = 1_000;
const key = generateSigningKey('2026-11-01T00:00:00.000Z');
const trustedKeys = [{ keyId: key.keyId, publicKeyPem: key.publicKeyPem, createdAt: key.createdAt }];

/** Entries of 600 to 1,500 bytes: the file spans several 1 MiB blocks, entries straddle their edges. */
function seal(count: number, from: readonly string[] = [], note = ''): string[] {
  const lines = [...from];
  let prev = lines.length > 0 ? sha256Hex(lines.at(-1)!) : genesisHash(LEDGER);
  for (let position = lines.length + 1; position <= count; position++) {
    const sealed = sealEntry(position, prev, {
      eventId: `e-${position}`,
      streamId: `s-${position % 7}`,
      streamVersion: position,
      type: 'Filler',
      schemaVersion: 1,
      data: { filler: 'x'.repeat(500 + (position % 97) * 9), note },
      metadata: { actor: 'a', role: 'r', correlationId: 'c', causationId: 'c', commandId: 'c' },
      recordedAt: '2026-11-29T10:00:00.000Z',
    });
    lines.push(sealed.entry);
    prev = sealed.hash;
  }
  return lines;
}

const clean = seal(COUNT);

function checkpointsOf(lines: readonly string[]): SignedCheckpoint[] {
  const frontier = new MerkleFrontier();
  const checkpoints: SignedCheckpoint[] = [];
  for (const [i, line] of lines.entries()) {
    frontier.append(line);
    if ((i + 1) % CHECKPOINT_EVERY === 0) {
      const body = { ledgerId: LEDGER, size: i + 1, headHash: sha256Hex(line), merkleRoot: frontier.root() };
      checkpoints.push(signCheckpoint({ ...body, time: '2026-11-29T22:00:00.000Z' }, key));
    }
  }
  return checkpoints;
}

const checkpoints = checkpointsOf(clean);

/** Entry n with its data changed and nothing else: its successor no longer links to it. */
function edited(n: number): string {
  const parsed = JSON.parse(clean[n - 1]!) as { event: { data: Record<string, unknown> } };
  parsed.event.data.note = 'changed';
  return canonicalize(parsed);
}

async function writeBundle(dir: string, events: string | Buffer): Promise<void> {
  await writeFile(join(dir, 'events.jsonl'), events);
  await writeFile(join(dir, 'checkpoints.json'), JSON.stringify(checkpoints));
  await writeFile(join(dir, 'keys.json'), JSON.stringify([{ ...trustedKeys[0], retiredAt: null }]));
  const file = { sha256: '0'.repeat(64), bytes: 0 };
  await writeFile(
    join(dir, 'manifest.json'),
    JSON.stringify({
      format: BUNDLE_FORMAT,
      ledgerId: LEDGER,
      size: COUNT,
      headHash: '',
      merkleRoot: '',
      createdAt: '2026-11-29T22:00:00.000Z',
      files: { 'events.jsonl': file, 'checkpoints.json': file, 'keys.json': file },
    }),
  );
}

interface Outcome {
  report: AuditReport;
  progress: number[];
  digest: FileDigest | null;
}

async function verifyWith(dir: string, threads: number): Promise<Outcome> {
  const bundle = await openBundle(dir);
  const progress: number[] = [];
  const report = await verifyLedger({
    ledgerId: LEDGER,
    entries: bundle.entries(),
    checkpoints: bundle.checkpoints,
    trustedKeys,
    threads,
    progressEvery: 500,
    onProgress: (read) => progress.push(read),
  });
  return { report, progress, digest: bundle.eventsDigest() };
}

const text = (lines: readonly string[]) => lines.map((line) => `${line}\n`).join('');

/** The last entry of the first block (the reader's first read is 1 MiB): its successor is in the next one. */
const blockEnd = (() => {
  let bytes = 0;
  let count = 0;
  while (bytes + Buffer.byteLength(clean[count]!) + 1 <= 1 << 20)
    bytes += Buffer.byteLength(clean[count++]!) + 1;
  return count;
})();

const cases: [string, string | Buffer, AuditFaultCode | null, number][] = [
  ['the clean ledger', text(clean), null, 0],
  ['an entry edited mid-block', text(clean.with(2_345, edited(2_346))), 'EVENT_EDITED', 2_346],
  [
    'a tail re-sealed after an edit',
    text(seal(COUNT, clean.slice(0, 2_344), 'changed')),
    'CHECKPOINT_MISMATCH',
    2_001,
  ],
  [
    'the last entry of a block edited',
    text(clean.with(blockEnd - 1, edited(blockEnd))),
    'EVENT_EDITED',
    blockEnd,
  ],
  ['an entry deleted', text(clean.toSpliced(1_499, 1)), 'EVENT_DELETED', 1_500],
  [
    'two entries swapped',
    text(clean.with(2_999, clean[3_000]!).with(3_000, clean[2_999]!)),
    'EVENTS_SWAPPED',
    3_000,
  ],
  ['an entry not canonical', text(clean.with(2_499, ` ${clean[2_499]!}`)), 'ENTRY_NOT_CANONICAL', 2_500],
  [
    'bytes that are not UTF-8',
    Buffer.concat([
      Buffer.from(text(clean.slice(0, 1_999))),
      Buffer.from([0xff, 0x0a]),
      Buffer.from(text(clean.slice(2_000))),
    ]),
    'ENTRY_UNREADABLE',
    2_000,
  ],
  ['an empty line', text(clean.toSpliced(3_100, 0, '')), 'ENTRY_UNREADABLE', 3_101],
  ['a cut tail', text(clean.slice(0, 3_990)), 'TRUNCATED_TAIL', 3_991],
  ['a last line without its LF', text(clean).slice(0, -1), null, 0],
  ['an empty file', '', 'TRUNCATED_TAIL', 1],
];

describe('verifyLedger on worker threads', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ledger-parallel-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it.each(cases)('gives for %s what the single thread gives', async (_name, events, code, position) => {
    await writeBundle(dir, events);
    const single = await verifyWith(dir, 0);
    const parallel = await verifyWith(dir, 2);
    expect(parallel).toEqual(single);
    expect([single.report.fault?.code ?? null, single.report.fault?.position ?? 0]).toEqual([code, position]);
  });

  it('refuses a line of more than 16 MiB on worker threads as on one', async () => {
    await writeBundle(
      dir,
      Buffer.concat([Buffer.from(text(clean.slice(0, 10))), Buffer.alloc(17 << 20, 0x61)]),
    );
    const single = verifyWith(dir, 0);
    await expect(single).rejects.toThrow('events.jsonl: line 11 is longer than 16777216 bytes');
    await expect(verifyWith(dir, 2)).rejects.toEqual(await single.catch((error: unknown) => error));
  });
});
