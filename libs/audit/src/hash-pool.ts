import { Worker } from 'node:worker_threads';
import { canonicalScanner } from './canonical-scan.js';

/**
 * Where, in the `bytes` a hasher gives back per line: the entry hash (64 hex characters), the leaf
 * digest (32 bytes, latin1), and what the canonical scan found: prevHash (64 hex characters) and
 * position (float64; 0 when the scan was unsure and the caller must judge the line itself).
 */
export const LINE_RESULT = { hash: 0, leaf: 64, prevHash: 96, position: 160, bytes: 168 } as const;

/**
 * The worker's whole source: plain JavaScript using only node: builtins, started with `eval`, so that it
 * runs the same under the compiled build and under jest (which compiles TypeScript in memory: a worker
 * file next to this module could not be loaded by node there).
 *
 * `hash`: for each line of the block (LF-separated, the last one may lack its LF), SHA-256 of the line
 * in hex and the RFC 6962 leaf hash SHA-256(0x00 || line) in latin1, as verify-ledger computes them,
 * and the canonical scan's verdict (the scanner's own source, see canonical-scan.ts).
 * `digest` / `finish`: one SHA-256 over every block sent, in order (the file's digest).
 */
const WORKER_SOURCE = `
'use strict';
const { parentPort } = require('node:worker_threads');
const { createHash, hash } = require('node:crypto');
const NEWLINE = 0x0a;
const AT = ${JSON.stringify(LINE_RESULT)};
const scanCanonicalEntry = (${canonicalScanner.toString()})();
let scratch = Buffer.alloc(1 << 16);
let fileDigest = createHash('sha256');

function countLines(bytes) {
  let count = 0;
  for (let i = bytes.indexOf(NEWLINE); i >= 0; i = bytes.indexOf(NEWLINE, i + 1)) count += 1;
  return bytes.length > 0 && bytes[bytes.length - 1] !== NEWLINE ? count + 1 : count;
}

function hashLines(bytes) {
  const out = Buffer.from(new ArrayBuffer(countLines(bytes) * AT.bytes));
  let start = 0;
  for (let at = 0; start < bytes.length; at += AT.bytes) {
    let end = bytes.indexOf(NEWLINE, start);
    if (end < 0) end = bytes.length;
    const length = end - start;
    const line = bytes.subarray(start, end);
    out.write(hash('sha256', line, 'hex'), at + AT.hash, 64, 'latin1');
    if (scratch.length < length + 1) scratch = Buffer.alloc(2 * (length + 1));
    scratch[0] = 0x00;
    bytes.copy(scratch, 1, start, end);
    out.write(hash('sha256', scratch.subarray(0, length + 1), 'latin1'), at + AT.leaf, 32, 'latin1');
    const scanned = scanCanonicalEntry(line);
    if (scanned) out.write(scanned.prevHash, at + AT.prevHash, 64, 'latin1');
    out.writeDoubleLE(scanned ? scanned.position : 0, at + AT.position);
    start = end + 1;
  }
  return out.buffer;
}

parentPort.on('message', (message) => {
  if (message.op === 'hash') {
    const results = hashLines(Buffer.from(message.buffer, message.offset, message.length));
    parentPort.postMessage({ id: message.id, buffer: message.buffer, results }, [message.buffer, results]);
  } else if (message.op === 'digest') {
    fileDigest.update(Buffer.from(message.buffer, message.offset, message.length));
  } else if (message.op === 'finish') {
    parentPort.postMessage({ id: message.id, sha256: fileDigest.digest('hex') });
    fileDigest = createHash('sha256');
  }
});
`;

interface Reply {
  id: number;
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

  constructor(hashers: number) {
    this.hashers = Array.from({ length: Math.max(1, hashers) }, () => this.start());
    this.digester = this.start();
  }

  /** The block given back, with LINE_RESULT.bytes per line (its hashes and scan). */
  async hashLines(block: Buffer): Promise<HashedBlock> {
    const worker = this.hashers[this.nextHasher]!;
    this.nextHasher = (this.nextHasher + 1) % this.hashers.length;
    // Read before the transfer: a transferred block is empty here.
    const { buffer, offset, length } = transferred(block);
    const reply = await this.ask(worker, { op: 'hash', buffer, offset, length }, [buffer]);
    return { block: Buffer.from(reply.buffer!, offset, length), hashes: Buffer.from(reply.results!) };
  }

  /** Adds the block to the file's digest (blocks must come in file order); the block is handed over. */
  digest(block: Buffer): void {
    const message = { op: 'digest', ...transferred(block) };
    this.digester.postMessage(message, [message.buffer]);
  }

  /** The SHA-256 of every block given to `digest`, hex. */
  async fileDigest(): Promise<string> {
    return (await this.ask(this.digester, { op: 'finish' })).sha256!;
  }

  async close(): Promise<void> {
    await Promise.all([...this.hashers, this.digester].map((worker) => worker.terminate()));
  }

  private start(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.on('message', (reply: Reply) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
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

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }
}

function transferred(block: Buffer): { buffer: ArrayBuffer; offset: number; length: number } {
  return { buffer: block.buffer as ArrayBuffer, offset: block.byteOffset, length: block.length };
}

/** A block of lines with, per line, its LINE_RESULT. */
export interface HashedBlock {
  block: Buffer;
  hashes: Buffer;
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
        const hashed = pool.hashLines(next.value);
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
