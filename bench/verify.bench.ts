import { createHash, hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  BUNDLE_FORMAT,
  generateSigningKey,
  MerkleFrontier,
  openBundle,
  signCheckpoint,
  verifyLedger,
  type AuditReport,
  type SignedCheckpoint,
} from '@ledger/audit';
import { genesisHash, sealEntry } from '@ledger/event-store';
import { readConfig } from './support/config.js';
import { sampleEvent } from './support/events.js';
import { collectGarbage, progress } from './support/progress.js';
import { perSecond } from './support/stats.js';
import { renderTable } from './support/table.js';

const LEDGER_ID = '3f6d0c1e-8a4b-4c2d-9e7f-5a1b2c3d4e5f';
const CHECKPOINT_EVERY = 100_000;
const ROUNDS = 2;
const NEWLINE = 0x0a;
const READ_CHUNK = 1 << 20;
const HEAP_SAMPLES = 10;

/** Verified events/s over plain SHA-256 events/s over the same bytes. */
const TARGET_RATIO = 0.5;
/** "Flat": the verifier holds a window of two entries and the Merkle frontier, whatever the size. */
const HEAP_GROWTH_MB = 25;

export interface HashRun {
  perSecond: number;
  /** Hex digest(s): proves the run read every byte. */
  check: string;
}

export interface VerifyComparison {
  events: number;
  bytes: number;
  checkpoints: number;
  generationSeconds: number;
  /** One SHA-256 over the whole of events.jsonl, as `sha256sum` would. */
  fileSha: HashRun;
  /** One SHA-256 per line: the least any chain check does per event. */
  lineSha: HashRun;
  verify: { perSecond: number; report: AuditReport };
  heap: { startMb: number; maxMb: number; endMb: number; samples: number };
}

/** Verifies a bundle of `events` events (a valid ledger with a signed checkpoint every 100,000). */
export async function benchVerify(events: number): Promise<VerifyComparison> {
  const dir = await mkdtemp(join(tmpdir(), 'ledger-bench-verify-'));
  try {
    progress(`verify: writing a bundle of ${events} events`);
    const started = performance.now();
    const key = generateSigningKey(new Date().toISOString());
    const { bytes, checkpoints } = await writeBundle(dir, events, key);
    const generationSeconds = (performance.now() - started) / 1_000;
    const trustedKeys = [{ keyId: key.keyId, publicKeyPem: key.publicKeyPem, createdAt: key.createdAt }];

    const fileRuns: HashRun[] = [];
    const lineRuns: HashRun[] = [];
    const verifyRuns: { perSecond: number; report: AuditReport }[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      progress(`verify: round ${round}/${ROUNDS}: SHA-256 of the file, of each line, then the verifier`);
      fileRuns.push(await timed(events, () => fileSha(join(dir, 'events.jsonl'))));
      lineRuns.push(await timed(events, () => lineSha(join(dir, 'events.jsonl'))));
      verifyRuns.push(await timedVerify(dir, events, trustedKeys));
    }
    progress('verify: heap while verifying');
    const heap = await sampleHeap(dir, events, trustedKeys);
    const best = <T extends { perSecond: number }>(runs: T[]) =>
      runs.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
    return {
      events,
      bytes,
      checkpoints,
      generationSeconds,
      fileSha: best(fileRuns),
      lineSha: best(lineRuns),
      verify: best(verifyRuns),
      heap,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** events.jsonl written entry by entry with sealEntry, as the sequencer seals them; the other files to match. */
async function writeBundle(
  dir: string,
  events: number,
  key: ReturnType<typeof generateSigningKey>,
): Promise<{ bytes: number; checkpoints: number }> {
  const out = createWriteStream(join(dir, 'events.jsonl'));
  const digest = createHash('sha256');
  const frontier = new MerkleFrontier();
  const checkpoints: SignedCheckpoint[] = [];
  let prev = genesisHash(LEDGER_ID);
  let bytes = 0;
  const recordedAt = new Date().toISOString();
  for (let position = 1; position <= events; position++) {
    const { eventId, type, data, metadata } = sampleEvent();
    const sealed = sealEntry(position, prev, {
      eventId: eventId ?? `${position}`,
      streamId: `consignment-${position % 10_000}`,
      streamVersion: Math.floor(position / 10_000) + 1,
      type,
      schemaVersion: 1,
      data,
      metadata,
      recordedAt,
    });
    prev = sealed.hash;
    frontier.append(sealed.entry);
    const line = Buffer.from(`${sealed.entry}\n`, 'utf8');
    digest.update(line);
    bytes += line.length;
    if (!out.write(line)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    if (position % CHECKPOINT_EVERY === 0 || position === events) {
      checkpoints.push(
        signCheckpoint(
          {
            ledgerId: LEDGER_ID,
            size: position,
            headHash: prev,
            merkleRoot: frontier.root(),
            time: recordedAt,
          },
          key,
        ),
      );
    }
  }
  await new Promise<void>((resolve) => out.end(resolve));
  const json = async (name: string, value: unknown) => {
    const content = Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
    await writeFile(join(dir, name), content);
    return { sha256: createHash('sha256').update(content).digest('hex'), bytes: content.length };
  };
  const files = {
    'events.jsonl': { sha256: digest.digest('hex'), bytes },
    'checkpoints.json': await json('checkpoints.json', checkpoints),
    'keys.json': await json('keys.json', [
      { keyId: key.keyId, publicKeyPem: key.publicKeyPem, createdAt: key.createdAt, retiredAt: null },
    ]),
  };
  await json('manifest.json', {
    format: BUNDLE_FORMAT,
    ledgerId: LEDGER_ID,
    size: events,
    headHash: prev,
    merkleRoot: frontier.root(),
    createdAt: recordedAt,
    files,
  });
  return { bytes, checkpoints: checkpoints.length };
}

async function timed(events: number, run: () => Promise<string>): Promise<HashRun> {
  collectGarbage();
  const started = performance.now();
  const check = await run();
  return { perSecond: perSecond(events, performance.now() - started), check };
}

async function fileSha(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: READ_CHUNK }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
  }
  return hash.digest('hex');
}

/** The same read and split as the verifier, one SHA-256 per line (one-shot, the fastest plain way) and nothing else. */
async function lineSha(path: string): Promise<string> {
  let last = '';
  let lines = 0;
  let carry: Buffer | null = null;
  for await (const chunk of createReadStream(path, { highWaterMark: READ_CHUNK }) as AsyncIterable<Buffer>) {
    let start = 0;
    let end = chunk.indexOf(NEWLINE, start);
    if (carry && end >= 0) {
      last = createHash('sha256')
        .update(Buffer.concat([carry, chunk.subarray(0, end)]))
        .digest('hex');
      lines += 1;
      carry = null;
      start = end + 1;
      end = chunk.indexOf(NEWLINE, start);
    }
    while (end >= 0) {
      last = hash('sha256', chunk.subarray(start, end), 'hex');
      lines += 1;
      start = end + 1;
      end = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length)
      carry = carry ? Buffer.concat([carry, chunk.subarray(start)]) : chunk.subarray(start);
  }
  return `${lines} lines, last ${last}`;
}

async function timedVerify(
  dir: string,
  events: number,
  trustedKeys: { keyId: string; publicKeyPem: string; createdAt: string }[],
): Promise<{ perSecond: number; report: AuditReport }> {
  collectGarbage();
  const started = performance.now();
  const bundle = await openBundle(dir);
  const report = await verifyLedger({
    ledgerId: bundle.manifest.ledgerId,
    entries: bundle.entries(),
    checkpoints: bundle.checkpoints,
    trustedKeys,
  });
  const elapsed = performance.now() - started;
  if (!report.ok || report.size !== events) {
    throw new Error(`the bench bundle did not verify: ${JSON.stringify(report.fault ?? report)}`);
  }
  return { perSecond: perSecond(events, elapsed), report };
}

async function sampleHeap(
  dir: string,
  events: number,
  trustedKeys: { keyId: string; publicKeyPem: string; createdAt: string }[],
): Promise<VerifyComparison['heap']> {
  collectGarbage();
  const every = Math.max(1, Math.floor(events / HEAP_SAMPLES));
  const samples = [heapUsedMb()];
  const bundle = await openBundle(dir);
  // Sampled from the progress callback, not by wrapping the entries: the verifier then reads the bundle
  // as it does in timedVerify (its lines hashed on worker threads, whose heaps are their own).
  await verifyLedger({
    ledgerId: bundle.manifest.ledgerId,
    entries: bundle.entries(),
    checkpoints: bundle.checkpoints,
    trustedKeys,
    progressEvery: every,
    onProgress: () => samples.push(heapUsedMb()),
  });
  samples.push(heapUsedMb());
  return {
    startMb: samples[0]!,
    maxMb: Math.max(...samples),
    endMb: samples[samples.length - 1]!,
    samples: samples.length,
  };
}

function heapUsedMb(): number {
  return process.memoryUsage().heapUsed / 2 ** 20;
}

export function verifyTable(result: VerifyComparison): string {
  const rate = (value: number) => `${Math.round(value).toLocaleString('en-US')} ev/s`;
  const ratio = (value: number) => `${value.toFixed(2)}x`;
  const mb = (value: number) => `${value.toFixed(1)} MB`;
  const toLine = result.verify.perSecond / result.lineSha.perSecond;
  const toFile = result.verify.perSecond / result.fileSha.perSecond;
  const growth = result.heap.maxMb - result.heap.startMb;
  const size = `${result.events.toLocaleString('en-US')} events, ${(result.bytes / 2 ** 20).toFixed(0)} MB`;
  return renderTable(
    ['measurement', 'baseline', 'verifier', 'ratio', 'target / note'],
    [
      [
        `verify a bundle (${size})`,
        `${rate(result.lineSha.perSecond)} (SHA-256 per line)`,
        rate(result.verify.perSecond),
        ratio(toLine),
        `>= ${TARGET_RATIO}x: ${toLine >= TARGET_RATIO ? 'met' : 'NOT met'}; ${result.checkpoints} checkpoints checked`,
      ],
      [
        'the same, against one SHA-256 over the file',
        `${rate(result.fileSha.perSecond)} (${((result.fileSha.perSecond * result.bytes) / result.events / 2 ** 20).toFixed(0)} MB/s)`,
        rate(result.verify.perSecond),
        ratio(toFile),
        `>= ${TARGET_RATIO}x: ${toFile >= TARGET_RATIO ? 'met' : 'NOT met'}`,
      ],
      [
        'heap while verifying',
        '',
        `${mb(result.heap.startMb)} -> max ${mb(result.heap.maxMb)}, end ${mb(result.heap.endMb)}`,
        '',
        `growth < ${HEAP_GROWTH_MB} MB: ${growth < HEAP_GROWTH_MB ? 'met' : 'NOT met'} (${result.heap.samples} samples)`,
      ],
      [
        'bundle generation (sealEntry, not timed above)',
        '',
        `${result.generationSeconds.toFixed(1)} s`,
        '',
        'entries sealed as the sequencer seals them, checkpoints signed',
      ],
    ],
  );
}

/** Alone: `npm run build && node --expose-gc dist/bench/verify.bench.js` (BENCH_EVENTS sets the size). */
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { events } = readConfig(process.env);
  benchVerify(events)
    .then((result) => process.stdout.write(`${verifyTable(result)}\n`))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
