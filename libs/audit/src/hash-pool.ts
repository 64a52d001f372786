import { Worker } from 'node:worker_threads';
import { canonicalScanner } from './canonical-scan.js';
import { freshBlock, lineCount, NEWLINE, type BlockAllocator } from './line-blocks.js';
import { merkleHashers } from './merkle.js';

/**
 * Where, in the `bytes` a hasher gives back per line: the entry hash (64 hex characters), the leaf
 * digest (32 bytes, latin1), and what the canonical scan found: prevHash (64 hex characters) and
 * position (float64; 0 when the scan was unsure and the caller must judge the line itself).
 */
export const LINE_RESULT = { hash: 0, leaf: 64, prevHash: 96, position: 160, bytes: 168 } as const;

/**
 * After the lines' results, the block's verdict (float64s): `linked` 1 when every line scanned as a
 * canonical entry whose position is its line number and whose prevHash is the hash of the line before
 * it (the first line's link is the caller's to check), and there are at least MIN_LINKED lines; then
 * `subtreeCount`, the count of [height float64, digest 32 bytes] that follow: the perfect Merkle subtrees
 * over the leaves of all lines but the last two (see LinkedRun in verify-ledger.ts).
 */
export const BLOCK_RESULT = {
  linked: 0,
  subtreeCount: 8,
  subtrees: 16,
  subtreeBytes: 40,
  digest: 8,
} as const;
/** Fewer lines than this are not worth a verdict: the caller takes them one by one. */
export const MIN_LINKED = 4;

/**
 * The worker's whole source: plain JavaScript using only node: builtins (with the canonical scanner's
 * and the Merkle hashers' compiled source, which are self-contained), started with `eval`, so that it
 * runs the same under the compiled build and under jest (which compiles TypeScript in memory: a worker
 * file next to this module could not be loaded by node there).
 *
 * `hash`: for each line of the block (LF-separated, the last one may lack its LF), SHA-256 of the line
 * in hex and the RFC 6962 leaf hash SHA-256(0x00 || line) in latin1, as verify-ledger computes them,
 * and the canonical scan's verdict (the scanner's own source, see canonical-scan.ts); then the block's
 * verdict (BLOCK_RESULT), which spares the caller the lines of an unbroken block.
 * `digest` / `finish`: one SHA-256 over every block sent, in order (the file's digest).
 * Buffers go back and forth by transfer and are used again: a fresh ArrayBuffer per block costs page
 * faults and a slower transfer, more than the hashing saved by the threads.
 */
const WORKER_SOURCE = `
'use strict';
const { parentPort } = require('node:worker_threads');
const { createHash, hash } = require('node:crypto');
const NEWLINE = ${NEWLINE};
const AT = ${JSON.stringify(LINE_RESULT)};
const BLOCK = ${JSON.stringify(BLOCK_RESULT)};
const MIN_LINKED = ${MIN_LINKED};
const scanCanonicalEntry = (${canonicalScanner.toString()})();
const { perfectSubtrees } = (${merkleHashers.toString()})((bytes) => hash('sha256', bytes, 'binary'));
let scratch = Buffer.alloc(1 << 16);
let fileDigest = createHash('sha256');
const leaves = [];

// SHA-256(0x00 || line): the byte before the line (the previous line's LF, in this thread's block)
// stands in for the 0x00 while it is hashed, which spares copying the line; the first line is copied.
function leafDigest(bytes, start, end) {
  if (start === 0) {
    if (scratch.length < end + 1) scratch = Buffer.alloc(2 * (end + 1));
    scratch[0] = 0x00;
    bytes.copy(scratch, 1, 0, end);
    return hash('sha256', scratch.subarray(0, end + 1), 'latin1');
  }
  const before = bytes[start - 1];
  bytes[start - 1] = 0x00;
  const digest = hash('sha256', bytes.subarray(start - 1, end), 'latin1');
  bytes[start - 1] = before;
  return digest;
}

function hashLines(bytes, spare, first, count) {
  // Room for the subtrees too: at most two of each height.
  const size = count * AT.bytes + BLOCK.subtrees + 2 * (Math.ceil(Math.log2(count + 1)) + 1) * BLOCK.subtreeBytes;
  const out = Buffer.from(spare && spare.byteLength >= size ? spare : new ArrayBuffer(size));
  let linked = count >= MIN_LINKED;
  let previousHash = '';
  let start = 0;
  for (let k = 0, at = 0; k < count; k++, at += AT.bytes) {
    let end = bytes.indexOf(NEWLINE, start);
    if (end < 0) end = bytes.length;
    const line = bytes.subarray(start, end);
    const entryHash = hash('sha256', line, 'hex');
    out.write(entryHash, at + AT.hash, 64, 'latin1');
    const leaf = leafDigest(bytes, start, end);
    out.write(leaf, at + AT.leaf, 32, 'latin1');
    leaves[k] = leaf;
    const scanned = scanCanonicalEntry(line);
    if (scanned) out.write(scanned.prevHash, at + AT.prevHash, 64, 'latin1');
    out.writeDoubleLE(scanned ? scanned.position : 0, at + AT.position);
    if (linked && (!scanned || scanned.position !== first + k || (k > 0 && scanned.prevHash !== previousHash))) {
      linked = false;
    }
    previousHash = entryHash;
    start = end + 1;
  }
  const subtrees = linked ? perfectSubtrees(leaves, count - 2, first - 1) : [];
  let at = count * AT.bytes;
  out.writeDoubleLE(linked ? 1 : 0, at + BLOCK.linked);
  out.writeDoubleLE(subtrees.length, at + BLOCK.subtreeCount);
  at += BLOCK.subtrees;
  for (const [height, digest] of subtrees) {
    out.writeDoubleLE(height, at);
    out.write(digest, at + BLOCK.digest, 32, 'latin1');
    at += BLOCK.subtreeBytes;
  }
  leaves.length = 0;
  return out.buffer;
}

parentPort.on('message', (message) => {
  if (message.op === 'hash') {
    const bytes = Buffer.from(message.buffer, message.offset, message.length);
    const results = hashLines(bytes, message.spare, message.first, message.lines);
    parentPort.postMessage({ id: message.id, buffer: message.buffer, results }, [message.buffer, results]);
  } else if (message.op === 'digest') {
    fileDigest.update(Buffer.from(message.buffer, message.offset, message.length));
    parentPort.postMessage({ op: 'free', buffer: message.buffer }, [message.buffer]);
  } else if (message.op === 'finish') {
    parentPort.postMessage({ id: message.id, sha256: fileDigest.digest('hex') });
    fileDigest = createHash('sha256');
  }
});
`;

interface Reply {
  id?: number;
  op?: 'free';
  buffer?: ArrayBuffer;
  results?: ArrayBuffer;
  sha256?: string;
}

interface Waiter {
  resolve: (reply: Reply) => void;
  reject: (error: Error) => void;
}

/**
 * Worker threads that hash blocks of lines (round robin), and one that digests the whole file. A block
 * goes to a thread by transfer, not copy: it must have an ArrayBuffer of its own (as readLineBlocks
 * gives), which is unusable here until the thread gives it back.
 */
export class HashPool {
  private readonly hashers: Worker[];
  private readonly digester: Worker;
  private readonly waiting = new Map<number, Waiter>();
  private nextId = 0;
  private nextHasher = 0;
  private failure: Error | null = null;
  /** Blocks and results given back, to be used again: at most as many as are in flight. */
  private readonly freeBlocks: ArrayBuffer[] = [];
  private readonly freeResults: ArrayBuffer[] = [];
  /** Blocks given to the digest thread and not yet given back; and who waits for it to catch up. */
  private digesting = 0;
  private caughtUp: (() => void) | null = null;

  constructor(
    hashers: number,
    /** How many blocks the caller keeps in flight: the most buffers worth keeping for reuse. */
    private readonly inFlight: number,
  ) {
    this.hashers = Array.from({ length: Math.max(1, hashers) }, () => this.start());
    this.digester = this.start();
  }

  /** A block buffer for readLineBlocks: one given back by the threads when it is large enough. */
  readonly allocate: BlockAllocator = (size) => {
    const reused = this.freeBlocks.pop();
    if (reused && reused.byteLength >= size) return Buffer.from(reused);
    return freshBlock(size);
  };

  /**
   * The block given back, with LINE_RESULT.bytes per line (its hashes and scan) and its verdict.
   * `first` is the number of its first line in the file, `lines` its count of lines (lineCount).
   */
  async hashLines(block: Buffer, first: number, lines: number): Promise<HashedBlock> {
    const worker = this.hashers[this.nextHasher]!;
    this.nextHasher = (this.nextHasher + 1) % this.hashers.length;
    // Read before the transfer: a transferred block is empty here.
    const { buffer, offset, length } = transferred(block);
    const spare = this.freeResults.pop();
    const transfer = spare ? [buffer, spare] : [buffer];
    const reply = await this.ask(
      worker,
      { op: 'hash', buffer, offset, length, spare, first, lines },
      transfer,
    );
    const hashes = Buffer.from(reply.results!);
    return {
      block: Buffer.from(reply.buffer!, offset, length),
      hashes,
      first,
      lines,
      ...verdict(hashes, lines),
    };
  }

  /**
   * Done with a hashed block: it goes to the file's digest (blocks must come in file order), then,
   * like its results, back for reuse. Neither may be used after this.
   */
  async finish({ block, hashes }: HashedBlock): Promise<void> {
    const message = { op: 'digest', ...transferred(block) };
    this.digester.postMessage(message, [message.buffer]);
    this.keep(this.freeResults, hashes.buffer as ArrayBuffer);
    // Memory stays flat even if the digest thread falls behind (it is the fastest, but the CPUs are shared).
    if (++this.digesting > this.inFlight) await new Promise<void>((resolve) => (this.caughtUp = resolve));
  }

  /** The SHA-256 of every block given to `finish`, hex. */
  async fileDigest(): Promise<string> {
    return (await this.ask(this.digester, { op: 'finish' })).sha256!;
  }

  async close(): Promise<void> {
    await Promise.all([...this.hashers, this.digester].map((worker) => worker.terminate()));
  }

  private start(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.on('message', (reply: Reply) => {
      if (reply.op === 'free') {
        this.keep(this.freeBlocks, reply.buffer!);
        this.digesting -= 1;
        this.caughtUp?.();
        this.caughtUp = null;
        return;
      }
      const waiter = this.waiting.get(reply.id!);
      this.waiting.delete(reply.id!);
      waiter?.resolve(reply);
    });
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => {
      if (this.waiting.size > 0) this.fail(new Error(`a hashing worker exited (code ${code})`));
    });
    return worker;
  }

  private ask(
    worker: Worker,
    message: Record<string, unknown>,
    transfer: ArrayBuffer[] = [],
  ): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, ...message }, transfer);
    });
  }

  private keep(free: ArrayBuffer[], buffer: ArrayBuffer): void {
    if (free.length < this.inFlight) free.push(buffer);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
    // Nothing will come back: whoever waits for the digest thread goes on, to fail at fileDigest().
    this.caughtUp?.();
    this.caughtUp = null;
  }
}

function transferred(block: Buffer): { buffer: ArrayBuffer; offset: number; length: number } {
  return { buffer: block.buffer as ArrayBuffer, offset: block.byteOffset, length: block.length };
}

/** A block of lines with, per line, its LINE_RESULT, and the block's verdict (BLOCK_RESULT). */
export interface HashedBlock {
  block: Buffer;
  hashes: Buffer;
  /** The number of the block's first line in the file, and how many lines it has. */
  first: number;
  lines: number;
  /** Every line is a canonical entry at its own position, linked to the one before it within the block. */
  linked: boolean;
  /** When linked: the perfect Merkle subtrees over the leaves of all lines but the last two, [height, digest]. */
  subtrees: [number, string][];
}

function verdict(hashes: Buffer, lines: number): Pick<HashedBlock, 'linked' | 'subtrees'> {
  let at = lines * LINE_RESULT.bytes;
  const linked = hashes.readDoubleLE(at + BLOCK_RESULT.linked) === 1;
  const count = hashes.readDoubleLE(at + BLOCK_RESULT.subtreeCount);
  const subtrees: [number, string][] = [];
  at += BLOCK_RESULT.subtrees;
  for (let k = 0; k < count; k++, at += BLOCK_RESULT.subtreeBytes) {
    const digestAt = at + BLOCK_RESULT.digest;
    subtrees.push([hashes.readDoubleLE(at), hashes.toString('latin1', digestAt, digestAt + 32)]);
  }
  return { linked, subtrees };
}

/**
 * The blocks with their hashes, in order, at most `inFlight` blocks read ahead (flat memory). An error
 * reading the blocks comes after the blocks before it.
 */
export async function* hashBlocks(
  pool: HashPool,
  blocks: AsyncIterable<Buffer>,
  inFlight: number,
): AsyncGenerator<HashedBlock> {
  const iterator = blocks[Symbol.asyncIterator]();
  const pending: Promise<HashedBlock>[] = [];
  let nextLine = 1;
  let readError: { error: unknown } | null = null;
  let ended = false;
  try {
    for (;;) {
      while (!ended && pending.length < inFlight) {
        let next: IteratorResult<Buffer>;
        try {
          next = await iterator.next();
        } catch (error) {
          readError = { error };
          ended = true;
          break;
        }
        if (next.done) {
          ended = true;
          break;
        }
        const lines = lineCount(next.value);
        const hashed = pool.hashLines(next.value, nextLine, lines);
        nextLine += lines;
        // Awaited in order below; a block left unawaited (the verifier stopped early) must not be an unhandled rejection.
        hashed.catch(() => undefined);
        pending.push(hashed);
      }
      const first = pending.shift();
      if (!first) break;
      yield await first;
    }
  } finally {
    if (!ended) await iterator.return?.();
  }
  if (readError) throw readError.error;
}
