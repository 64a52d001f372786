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

async function writeBundle(
  dir: string,
  events: string | Buffer,
  signed: readonly SignedCheckpoint[] = checkpoints,
): Promise<void> {
  await writeFile(join(dir, 'events.jsonl'), events);
  await writeFile(join(dir, 'checkpoints.json'), JSON.stringify(signed));
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

/** The outcome, and how many entries were accepted as runs of unbroken blocks. */
async function verifyWith(dir: string, threads: number): Promise<Outcome & { inRuns: number }> {
  const bundle = await openBundle(dir);
  const progress: number[] = [];
  let inRuns = 0;
  const report = await verifyLedger({
    ledgerId: LEDGER,
    entries: bundle.entries(),
    checkpoints: bundle.checkpoints,
    trustedKeys,
    threads,
    progressEvery: 500,
    onProgress: (read) => progress.push(read),
    onRun: (entries) => (inRuns += entries),
  });
  return { report, progress, digest: bundle.eventsDigest(), inRuns };
}

/** The same outcome on two threads as on one; how many entries the threads accepted as runs. */
async function sameOnThreads(dir: string): Promise<{ single: Outcome; inRuns: number }> {
  const { inRuns: none, ...single } = await verifyWith(dir, 0);
  const { inRuns, ...parallel } = await verifyWith(dir, 2);
  expect(none).toBe(0);
  expect(parallel).toEqual(single);
  return { single, inRuns };
}

const text = (lines: readonly string[]) => lines.map((line) => `${line}\n`).join('');

/**
 * The last entry of each block, as the reader cuts the clean file: a block is the whole lines within
 * 1 MiB from where the one before it ended.
 */
const blockEnds = (() => {
  const ends: number[] = [];
  let bytes = 0;
  let count = 0;
  while (count < clean.length) {
    const limit = bytes + (1 << 20);
    while (count < clean.length && bytes + Buffer.byteLength(clean[count]!) + 1 <= limit)
      bytes += Buffer.byteLength(clean[count++]!) + 1;
    ends.push(count);
  }
  return ends;
})();
const blockEnd = blockEnds[0]!;

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
    const { single } = await sameOnThreads(dir);
    expect([single.report.fault?.code ?? null, single.report.fault?.position ?? 0]).toEqual([code, position]);
  });

  // With a checkpoint only at the end, no block but the last holds a checkpoint's size: the threads take
  // unbroken blocks as runs, and a fault on any line of a block's edge must still come out the same.
  const lastOnly = checkpoints.slice(-1);
  // Block 2 is unbroken in each case but the last two: faults on the edges of blocks 2 and 3 come after a run.
  const [, e2, e3] = blockEnds as [number, number, number];
  const atEdges: [string, string, AuditFaultCode | null, number, 'runs' | 'no runs'][] = [
    ['the clean ledger', text(clean), null, 0, 'runs'],
    ['the last line of block 2 edited', text(clean.with(e2 - 1, edited(e2))), 'EVENT_EDITED', e2, 'runs'],
    [
      'the first line of block 3 edited',
      text(clean.with(e2, edited(e2 + 1))),
      'EVENT_EDITED',
      e2 + 1,
      'runs',
    ],
    [
      'the second line of block 3 edited',
      text(clean.with(e2 + 1, edited(e2 + 2))),
      'EVENT_EDITED',
      e2 + 2,
      'runs',
    ],
    [
      'the third-last line of block 3 edited',
      text(clean.with(e3 - 3, edited(e3 - 2))),
      'EVENT_EDITED',
      e3 - 2,
      'runs',
    ],
    [
      'the second-last line of block 3 edited',
      text(clean.with(e3 - 2, edited(e3 - 1))),
      'EVENT_EDITED',
      e3 - 1,
      'runs',
    ],
    ['the first line of block 3 deleted', text(clean.toSpliced(e2, 1)), 'EVENT_DELETED', e2 + 1, 'runs'],
    [
      'the first line of block 3 not canonical',
      text(clean.with(e2, ` ${clean[e2]!}`)),
      'ENTRY_NOT_CANONICAL',
      e2 + 1,
      'runs',
    ],
    [
      'two entries swapped across blocks 3 and 4',
      text(clean.with(e3 - 1, clean[e3]!).with(e3, clean[e3 - 1]!)),
      'EVENTS_SWAPPED',
      e3,
      'runs',
    ],
    [
      'a tail re-sealed after an edit',
      text(seal(COUNT, clean.slice(0, 2_344), 'changed')),
      'CHECKPOINT_MISMATCH',
      1,
      'runs',
    ],
    ['a cut tail', text(clean.slice(0, 3_990)), 'TRUNCATED_TAIL', 3_991, 'runs'],
    [
      'two entries swapped across blocks 2 and 3',
      text(clean.with(e2 - 1, clean[e2]!).with(e2, clean[e2 - 1]!)),
      'EVENTS_SWAPPED',
      e2,
      'no runs',
    ],
    [
      'an entry of another ledger first',
      text(
        seal(COUNT, [
          sealEntry(
            1,
            genesisHash('other'),
            (JSON.parse(clean[0]!) as { event: Parameters<typeof sealEntry>[2] }).event,
          ).entry,
        ]),
      ),
      'LEDGER_MISMATCH',
      1,
      'no runs',
    ],
  ];

  it.each(atEdges)(
    'with one checkpoint, gives for %s what the single thread gives',
    async (_name, events, code, position, runs) => {
      await writeBundle(dir, events, lastOnly);
      const { single, inRuns } = await sameOnThreads(dir);
      expect([single.report.fault?.code ?? null, single.report.fault?.position ?? 0]).toEqual([
        code,
        position,
      ]);
      expect(inRuns > 0 ? 'runs' : 'no runs').toBe(runs);
    },
  );

  it('takes all but the first block and a few lines per block as runs on a clean ledger', async () => {
    await writeBundle(dir, text(clean), lastOnly);
    const { single, inRuns } = await sameOnThreads(dir);
    expect(single.report.ok).toBe(true);
    expect(inRuns).toBeGreaterThan(COUNT - 2 * blockEnd);
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
