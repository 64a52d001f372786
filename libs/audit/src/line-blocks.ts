import { open } from 'node:fs/promises';
import type { FileDigest } from './bundle.js';
import type { AuditEntry } from './verify-ledger.js';

/** events.jsonl is one entry per line, each ended by an LF. */
export const NEWLINE = 0x0a;
/** An entry is a few hundred bytes; a "line" of many megabytes is a broken or hostile file. */
const MAX_LINE_BYTES = 16 << 20;

/** A line longer than MAX_LINE_BYTES: `line` is its number (the lines before it were all given). */
export class LineTooLongError extends Error {
  override readonly name = 'LineTooLongError';
  constructor(readonly line: number) {
    super(`line ${line} is longer than ${MAX_LINE_BYTES} bytes`);
  }
}

/** Gives a Buffer of at least `size` bytes over an ArrayBuffer of its own (its start is the Buffer's). */
export type BlockAllocator = (size: number) => Buffer;

const READ_CHUNK = 1 << 20;
/** A new block, of a chunk at least. */
export const freshBlock: BlockAllocator = (size) => Buffer.allocUnsafeSlow(Math.max(size, READ_CHUNK));

/**
 * Reads a file as blocks of whole lines: each block ends just after an LF, except a last line that
 * lacks its LF, which comes alone as the last block. The blocks, in order, are exactly the file's bytes.
 * Each block has an ArrayBuffer of its own, which the consumer may transfer to another thread: the
 * unfinished line at the end of a read is copied out (into the next block) before the block is given.
 */
export async function* readLineBlocks(
  path: string,
  allocate: BlockAllocator = freshBlock,
): AsyncGenerator<Buffer> {
  const file = await open(path, 'r');
  try {
    let carried = 0;
    let block = allocate(READ_CHUNK);
    let lines = 0;
    for (;;) {
      const { bytesRead } = await file.read(block, carried, block.length - carried, null);
      if (bytesRead === 0) break;
      const filled = carried + bytesRead;
      const end = block.lastIndexOf(NEWLINE, filled - 1) + 1;
      carried = filled - end;
      // Room for the carried bytes and a read of at least half a chunk.
      const next = allocate(carried + READ_CHUNK / 2);
      block.copy(next, 0, end, filled);
      if (end > 0) {
        lines += lineCount(block.subarray(0, end));
        yield block.subarray(0, end);
      }
      if (carried > MAX_LINE_BYTES) throw new LineTooLongError(lines + 1);
      block = next;
    }
    if (carried > 0) yield block.subarray(0, carried);
  } finally {
    await file.close();
  }
}

/**
 * The lines of a block from readLineBlocks: its LFs, and the last line if it lacks its LF.
 * Self-contained (the hashing worker threads run its source).
 */
export function lineCount(block: Uint8Array): number {
  let count = 0;
  for (let i = block.indexOf(0x0a); i >= 0; i = block.indexOf(0x0a, i + 1)) count += 1;
  return block.length > 0 && block[block.length - 1] !== 0x0a ? count + 1 : count;
}

/**
 * Calls `each(start, end)` for every line of a block from readLineBlocks (LF excluded), in order;
 * the block's last line may lack its LF.
 */
export function forEachLine(block: Buffer, each: (start: number, end: number) => void): void {
  let start = 0;
  while (start < block.length) {
    let end = block.indexOf(NEWLINE, start);
    if (end < 0) end = block.length;
    each(start, end);
    start = end + 1;
  }
}

/** The key under which entries read from a file offer the file itself. */
export const LINE_FILE = Symbol('line file');

/** A file of entries, one a line, numbered from 1, that can also be read as blocks of lines. */
export interface LineFile {
  /** The file's size when it was opened, if known. */
  bytes: number | null;
  blocks(allocate?: BlockAllocator): AsyncIterable<Buffer>;
  /** To be called, by whoever read the blocks to the end, with the digest of the whole file. */
  onEnd(digest: FileDigest): void;
}

/** Entries that are the lines of a file: iterated they give each line; LINE_FILE gives the file. */
export interface LineFileEntries extends AsyncIterable<AuditEntry> {
  readonly [LINE_FILE]: LineFile;
}

export function lineFileOf(entries: AsyncIterable<AuditEntry>): LineFile | null {
  return (entries as Partial<LineFileEntries>)[LINE_FILE] ?? null;
}
