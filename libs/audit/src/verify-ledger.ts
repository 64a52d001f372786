import { hash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { canonicalize, genesisHash } from '@ledger/event-store';
import { scanCanonicalEntry } from './canonical-scan.js';
import {
  keyIdOf,
  verifyCheckpointSignature,
  type PublicKeyRecord,
  type SignedCheckpoint,
} from './checkpoint.js';
import { hashBlocks, HashPool, LINE_RESULT, type HashedBlock } from './hash-pool.js';
import { forEachLine, lineFileOf, NEWLINE, type LineFile } from './line-blocks.js';
import { EMPTY_ROOT, leafDigest, MerkleFrontier } from './merkle.js';

/** Every reason a verification can fail; FORMAT.md says how each one's position is chosen. */
export const AUDIT_FAULT_CODES = [
  'ENTRY_UNREADABLE',
  'ENTRY_NOT_CANONICAL',
  'ENTRY_HASH_MISMATCH',
  'EVENT_EDITED',
  'EVENT_DELETED',
  'EVENT_INSERTED',
  'EVENTS_SWAPPED',
  'CHAIN_BROKEN',
  'LEDGER_MISMATCH',
  'CHECKPOINT_MALFORMED',
  'CHECKPOINT_KEY_UNTRUSTED',
  'CHECKPOINT_SIGNATURE_INVALID',
  'CHECKPOINT_MISMATCH',
  'HISTORY_REWRITTEN',
  'TRUNCATED_TAIL',
  'BUNDLE_INVALID',
  'MANIFEST_MISMATCH',
] as const;

export type AuditFaultCode = (typeof AUDIT_FAULT_CODES)[number];

export interface AuditFault {
  code: AuditFaultCode;
  position: number;
  detail: string;
}

export interface AuditReport {
  ok: boolean;
  ledgerId: string;
  /** Entries verified (on failure: the entries before the fault's position). */
  size: number;
  /** Chain head after `size` entries. */
  headHash: string;
  /** RFC 6962 root of the first `size` entries. */
  merkleRoot: string;
  verifiedThrough: number;
  /** Signed checkpoints (the service's and saved ones) that matched the recomputed ledger. */
  checkpointsVerified: number;
  fault?: AuditFault;
}

export interface AuditEntry {
  position: number;
  /** The exact stored bytes (a string stands for its UTF-8). */
  entry: string | Uint8Array;
  /** The stored hash, when the entries come from the database. */
  hash?: string;
}

export interface VerifyLedgerInput {
  ledgerId: string;
  entries: AsyncIterable<AuditEntry>;
  checkpoints: readonly SignedCheckpoint[];
  trustedKeys: readonly PublicKeyRecord[];
  savedCheckpoints?: readonly SignedCheckpoint[];
  /** Called with the count of entries read, every `progressEvery` (default 100,000) entries. */
  onProgress?: (read: number) => void;
  progressEvery?: number;
  /**
   * Worker threads that hash the lines of a bundle's events.jsonl (entries from `openBundle`), while
   * this thread checks them in order. 0: all on this thread. By default one per CPU when there are
   * several and the file is large enough to pay for starting them.
   */
  threads?: number;
  /**
   * Diagnostics: called with the count of entries accepted as one run of a block the worker threads
   * found unbroken, without a look at each (see takeRun).
   */
  onRun?: (entries: number) => void;
}

/** One entry as read, with everything the checks need computed once. */
interface Line {
  slot: number;
  storedHash: string | undefined;
  hash: string;
  /** SHA-256(0x00 || entry), as a latin1 digest. */
  leaf: string;
  /** The entry's own `position` and `prevHash`; null when `problem` is set. */
  position: number | null;
  prevHash: string | null;
  problem: { code: 'ENTRY_UNREADABLE' | 'ENTRY_NOT_CANONICAL'; detail: string } | null;
}

const HEX64 = /^[0-9a-f]{64}$/;

function readLine(item: AuditEntry): Line {
  const bytes = typeof item.entry === 'string' ? Buffer.from(item.entry, 'utf8') : item.entry;
  const line: Line = {
    slot: item.position,
    storedHash: item.hash,
    hash: hash('sha256', bytes, 'hex'),
    leaf: leafDigest(bytes),
    position: null,
    prevHash: null,
    problem: null,
  };
  const scanned = scanCanonicalEntry(bytes);
  if (scanned) {
    line.position = scanned.position;
    line.prevHash = scanned.prevHash;
    return line;
  }
  return judgeSlowly(line, item.entry, bytes);
}

/** A line hashed and scanned elsewhere (the worker threads): `results` as LINE_RESULT lays them out. */
function readHashedLine(slot: number, bytes: Buffer, results: Buffer, at: number): Line {
  const line: Line = {
    slot,
    storedHash: undefined,
    hash: results.toString('latin1', at + LINE_RESULT.hash, at + LINE_RESULT.hash + 64),
    leaf: results.toString('latin1', at + LINE_RESULT.leaf, at + LINE_RESULT.leaf + 32),
    position: null,
    prevHash: null,
    problem: null,
  };
  const position = results.readDoubleLE(at + LINE_RESULT.position);
  if (position === 0) return judgeSlowly(line, bytes, bytes);
  line.position = position;
  line.prevHash = results.toString('latin1', at + LINE_RESULT.prevHash, at + LINE_RESULT.prevHash + 64);
  return line;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The reference check for whatever the fast scan was unsure of: parse, then compare with canonicalize. */
function judgeSlowly(line: Line, entry: string | Uint8Array, bytes: Uint8Array): Line {
  let text: string;
  try {
    text = typeof entry === 'string' ? entry : UTF8.decode(bytes);
  } catch {
    line.problem = { code: 'ENTRY_UNREADABLE', detail: 'entry bytes are not UTF-8' };
    return line;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    line.problem = { code: 'ENTRY_UNREADABLE', detail: `not JSON: ${(error as Error).message}` };
    return line;
  }
  const shape = entryShape(parsed);
  if (shape) {
    line.problem = { code: 'ENTRY_UNREADABLE', detail: shape };
    return line;
  }
  let canonical: string;
  try {
    canonical = canonicalize(parsed);
  } catch (error) {
    line.problem = { code: 'ENTRY_NOT_CANONICAL', detail: (error as Error).message };
    return line;
  }
  if (canonical !== text) {
    line.problem = {
      code: 'ENTRY_NOT_CANONICAL',
      detail: 'entry bytes are not the RFC 8785 form of the entry',
    };
    return line;
  }
  const { position, prevHash } = parsed as { position: number; prevHash: string };
  line.position = position;
  line.prevHash = prevHash;
  return line;
}

/** Why a parsed value is not an entry `{ position, prevHash, event }`, or null when it is one. */
function entryShape(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const { position, prevHash, event } = value as Record<string, unknown>;
  const keys = Object.keys(value);
  if (keys.length !== 3) return `an entry has exactly position, prevHash and event; found ${keys.join(', ')}`;
  if (typeof position !== 'number' || !Number.isSafeInteger(position) || position < 1) {
    return 'position is not a positive integer';
  }
  if (typeof prevHash !== 'string' || !HEX64.test(prevHash)) return 'prevHash is not a lowercase SHA-256 hex';
  if (typeof event !== 'object' || event === null || Array.isArray(event))
    return 'event is not a JSON object';
  return null;
}

/** Below this, starting worker threads costs more than it saves (a few thousand entries). */
const PARALLEL_MIN_BYTES = 4 << 20;
/** Blocks (about 1 MiB each) read ahead per hashing thread: enough to keep them busy, memory flat. */
const BLOCKS_PER_THREAD = 3;

function hashingThreads(file: LineFile, threads: number | undefined): number {
  if (threads !== undefined) return threads;
  const cpus = availableParallelism();
  return cpus > 1 && (file.bytes ?? 0) >= PARALLEL_MIN_BYTES ? cpus : 0;
}

/** Lines as read: one at a time, or a block at a time from the worker threads. */
interface Batch {
  count: number;
  /** The lines; those of a linked block are built only if it cannot be taken as a run. */
  lines(): Line[];
  run?: LinkedRun;
}

/**
 * A block whose worker found every line a canonical entry at its own position, linked to the line
 * before it (HashedBlock.linked). Once its opening line links to the head, the verifier can accept all
 * its lines but the last without looking at them: it takes the Merkle subtrees the worker built over
 * the leaves of the lines it settles, and the entries it needs to go on from.
 */
interface LinkedRun {
  opening: Line;
  /** The last three lines: the last the run settles, the last it accepts, and the next to check. */
  settledLast: Line;
  acceptedLast: Line;
  after: Line;
  subtrees: [number, string][];
}

async function* linesOf(entries: AsyncIterable<AuditEntry>): AsyncGenerator<Batch> {
  for await (const item of entries) {
    const lines = [readLine(item)];
    yield { count: 1, lines: () => lines };
  }
}

/** The file's lines, hashed on the pool's threads, a block at a time; the file's digest at the end. */
async function* hashedLines(pool: HashPool, file: LineFile, inFlight: number): AsyncGenerator<Batch> {
  let bytes = 0;
  for await (const hashed of hashBlocks(pool, file.blocks(pool.allocate), inFlight)) {
    yield {
      count: hashed.lines,
      lines: () => allLines(hashed),
      ...(hashed.linked ? { run: linkedRun(hashed) } : {}),
    };
    // The verifier is done with the batch: its buffers may go.
    bytes += hashed.block.length;
    await pool.finish(hashed);
  }
  file.onEnd({ sha256: await pool.fileDigest(), bytes });
}

function allLines({ block, hashes, first }: HashedBlock): Line[] {
  const lines: Line[] = [];
  forEachLine(block, (start, end) =>
    lines.push(
      readHashedLine(
        first + lines.length,
        block.subarray(start, end),
        hashes,
        lines.length * LINE_RESULT.bytes,
      ),
    ),
  );
  return lines;
}

function linkedRun({ block, hashes, first, lines, subtrees }: HashedBlock): LinkedRun {
  const line = (k: number, start: number, end: number) =>
    readHashedLine(first + k, block.subarray(start, end), hashes, k * LINE_RESULT.bytes);
  // A linked block has at least MIN_LINKED lines, none empty: the first ends at an LF, and the last three
  // are found from the end (the last may lack its LF).
  const bounds: [number, number][] = [];
  let end = block[block.length - 1] === NEWLINE ? block.length - 1 : block.length;
  for (let k = 0; k < 3; k++) {
    const start = block.lastIndexOf(NEWLINE, end - 1) + 1;
    bounds.unshift([start, end]);
    end = start - 1;
  }
  const [settled, accepted, after] = bounds as [[number, number], [number, number], [number, number]];
  return {
    opening: line(0, 0, block.indexOf(NEWLINE)),
    settledLast: line(lines - 3, ...settled),
    acceptedLast: line(lines - 2, ...accepted),
    after: line(lines - 1, ...after),
    subtrees,
  };
}

interface Anchor {
  size: number;
  headHash: string;
  merkleRoot: string;
}

/**
 * Verifies a ledger in one streaming pass and flat memory (a window of two entries and the Merkle
 * frontier). Entry i is accepted only once entry i+1 has been read, so that an edit of entry i (which
 * shows as entry i+1's broken link) is reported at i; the frontier and checkpoint checks trail by one.
 */
export async function verifyLedger(input: VerifyLedgerInput): Promise<AuditReport> {
  return new LedgerAudit(input).run();
}

class LedgerAudit {
  private readonly ledgerId: string;
  private readonly trusted = new Map<string, PublicKeyRecord>();
  private readonly checkpoints: SignedCheckpoint[];
  private readonly saved: SignedCheckpoint[];
  private readonly malformed: string | null;
  private readonly sizes: number[];
  private nextSize = 0;

  private readonly frontier = new MerkleFrontier();
  /** Entries accepted; the frontier holds all but the last of them. */
  private accepted = 0;
  private head: string;
  private previousHead: string;
  private pendingLeaf: string | null = null;
  /** The last size at which every checkpoint matched. */
  private anchor: Anchor;
  private checkpointsVerified = 0;

  constructor(private readonly input: VerifyLedgerInput) {
    this.ledgerId = input.ledgerId;
    for (const key of input.trustedKeys) {
      try {
        // A key is known by the id its own bytes give, whatever id the record claims.
        this.trusted.set(keyIdOf(key.publicKeyPem), key);
      } catch {
        // Not an Ed25519 key: it can vouch for nothing.
      }
    }
    this.checkpoints = [...input.checkpoints];
    this.saved = [...(input.savedCheckpoints ?? [])];
    const bad = [...this.checkpoints, ...this.saved].find(
      (checkpoint) => !Number.isSafeInteger(checkpoint.size) || checkpoint.size < 0,
    );
    this.malformed = bad ? `a checkpoint has size ${String(bad.size)}` : null;
    this.sizes = [...new Set([...this.checkpoints, ...this.saved].map((c) => c.size))].sort((a, b) => a - b);
    this.head = genesisHash(this.ledgerId);
    this.previousHead = this.head;
    this.anchor = { size: 0, headHash: this.head, merkleRoot: EMPTY_ROOT };
  }

  async run(): Promise<AuditReport> {
    if (this.malformed)
      return this.failure({ code: 'CHECKPOINT_MALFORMED', position: 1, detail: this.malformed });
    const file = lineFileOf(this.input.entries);
    const threads = file ? hashingThreads(file, this.input.threads) : 0;
    if (file && threads > 0) {
      const inFlight = threads * BLOCKS_PER_THREAD;
      const pool = new HashPool(threads, inFlight);
      try {
        return await this.verify(hashedLines(pool, file, inFlight));
      } finally {
        await pool.close();
      }
    }
    return this.verify(linesOf(this.input.entries));
  }

  private async verify(batches: AsyncIterable<Batch>): Promise<AuditReport> {
    let previous: Line | undefined;
    const { onProgress } = this.input;
    const every = this.input.progressEvery ?? 100_000;
    let read = 0;
    for await (const batch of batches) {
      let from = 0;
      if (batch.run && previous) {
        const { run } = batch;
        if (onProgress && ++read % every === 0) onProgress(read);
        const fault = this.step(previous, run.opening);
        if (fault) return this.failure(fault);
        previous = run.opening;
        from = 1;
        if (this.takeRun(run)) {
          // The lines it accepted unseen count as read, and are reported as one by one.
          const through = read + batch.count - 1;
          if (onProgress)
            for (let at = (Math.floor(read / every) + 1) * every; at <= through; at += every) onProgress(at);
          read = through;
          this.input.onRun?.(batch.count - 1);
          previous = run.after;
          continue;
        }
      }
      const lines = batch.lines();
      for (let k = from; k < lines.length; k++) {
        const line = lines[k]!;
        if (onProgress && ++read % every === 0) onProgress(read);
        if (previous) {
          const fault = this.step(previous, line);
          if (fault) return this.failure(fault);
        }
        previous = line;
      }
    }
    if (previous) {
      const fault = this.step(previous, undefined);
      if (fault) return this.failure(fault);
    }
    const fault = this.settle() ?? this.truncation();
    if (fault) return this.failure(fault);
    return this.report(true, this.accepted, this.head, this.frontier.root());
  }

  /**
   * Accepts a linked block's lines after its opening one (just accepted) in one go, when the line by
   * line checks could only accept them: the opening line links to the head, and no checkpoint falls on
   * a size the run settles (from the entry before the opening line to the last it settles). Leaves the
   * verifier as step() would after accepting `acceptedLast` with `after` as the next line to check.
   */
  private takeRun(run: LinkedRun): boolean {
    const { opening, settledLast, acceptedLast } = run;
    if (opening.prevHash !== this.head || this.accepted !== opening.slot - 1) return false;
    if ((this.sizes[this.nextSize] ?? Infinity) <= settledLast.slot) return false;
    this.frontier.appendLeafDigest(this.pendingLeaf!);
    for (const [height, digest] of run.subtrees) this.frontier.appendSubtree(height, digest);
    if (this.frontier.size !== settledLast.slot) {
      throw new Error(`a linked run settled ${this.frontier.size} entries, not ${settledLast.slot}`);
    }
    this.previousHead = settledLast.hash;
    this.head = acceptedLast.hash;
    this.pendingLeaf = acceptedLast.leaf;
    this.accepted = acceptedLast.slot;
    return true;
  }

  /** Checks the entry expected at position `accepted + 1`, looking at the entry after it. */
  private step(line: Line, next: Line | undefined): AuditFault | null {
    const i = this.accepted + 1;
    const fault = (code: AuditFaultCode, position: number, detail: string): AuditFault => ({
      code,
      position,
      detail,
    });
    if (line.slot > i) {
      return fault(
        'EVENT_DELETED',
        i,
        `positions ${range(i, line.slot - 1)} are missing; the store goes on at ${line.slot}`,
      );
    }
    if (line.slot < i) return fault('CHAIN_BROKEN', i, `position ${line.slot} appears again after ${i - 1}`);
    if (line.problem) return fault(line.problem.code, i, line.problem.detail);
    if (line.storedHash !== undefined && line.storedHash !== line.hash) {
      // The next entry names the hash the store kept: the bytes changed after they were sealed.
      if (next && next.prevHash === line.storedHash) {
        return fault(
          'EVENT_EDITED',
          i,
          `entry ${i} hashes to ${line.hash}; it was sealed as ${line.storedHash}`,
        );
      }
      return fault('ENTRY_HASH_MISMATCH', i, `stored hash ${line.storedHash}, entry hashes to ${line.hash}`);
    }
    const position = line.position!;
    const prevHash = line.prevHash!;
    const linksForward = (to: Line | undefined, from: Line) =>
      to !== undefined && to.position === from.position! + 1 && to.prevHash === from.hash;

    if (position === i && prevHash === this.head) return this.accept(line);

    if (position === i) {
      if (i === 1) {
        if (!next || next.prevHash === line.hash) {
          return fault(
            'LEDGER_MISMATCH',
            1,
            `entry 1 links to ${prevHash}, not to the genesis of ledger ${this.ledgerId} (${this.head}): ` +
              'it was sealed in another ledger',
          );
        }
        return fault('EVENT_EDITED', 1, 'entry 1 links neither to the genesis nor forward to entry 2');
      }
      if (linksForward(next, line)) {
        return fault(
          'EVENT_EDITED',
          i - 1,
          `entry ${i} was sealed after an entry hashing to ${prevHash}; entry ${i - 1} hashes to ${this.head}`,
        );
      }
      if (next && next.position === i && next.prevHash === this.head) {
        return fault(
          'EVENT_INSERTED',
          i,
          `entry ${i} is not in the chain: the entry after it links to ${i - 1}`,
        );
      }
      if (!next) {
        return fault(
          'CHAIN_BROKEN',
          i,
          `the last entry does not link to entry ${i - 1} (one of the two was altered)`,
        );
      }
      return fault(
        'EVENT_EDITED',
        i,
        `entry ${i} links neither back to entry ${i - 1} nor forward to ${i + 1}`,
      );
    }

    if (position > i) {
      if (next && next.position === i && next.prevHash === this.head && prevHash === next.hash) {
        return fault('EVENTS_SWAPPED', i, `entries ${i} and ${i + 1} are in each other's place`);
      }
      if (prevHash !== this.head && (!next || linksForward(next, line))) {
        return fault(
          'EVENT_DELETED',
          i,
          `positions ${range(i, position - 1)} are missing; entry ${position} follows ${i - 1}`,
        );
      }
      if (prevHash === this.head && next?.position === i + 1) {
        return fault('EVENT_EDITED', i, `entry ${i} says position ${position}`);
      }
      return fault('CHAIN_BROKEN', i, `expected position ${i}, the entry says ${position}`);
    }

    // position < i
    if (position === i - 1 && prevHash === this.previousHead) {
      return fault(
        'EVENT_INSERTED',
        i - 1,
        `entry ${i - 1} is not in the chain: the original entry ${i - 1} follows it and links to ${i - 2}`,
      );
    }
    if (prevHash === this.head && next?.position === i + 1) {
      return fault('EVENT_EDITED', i, `entry ${i} says position ${position}`);
    }
    return fault('CHAIN_BROKEN', i, `expected position ${i}, the entry says ${position}`);
  }

  /** Entry `accepted + 1` links to the head: settle the entry before it, then take this one on. */
  private accept(line: Line): AuditFault | null {
    const fault = this.settle();
    if (fault) return fault;
    this.previousHead = this.head;
    this.head = line.hash;
    this.pendingLeaf = line.leaf;
    this.accepted += 1;
    return null;
  }

  /** The last accepted entry is confirmed by its successor (or is the end): add its leaf, check checkpoints. */
  private settle(): AuditFault | null {
    if (this.pendingLeaf) {
      this.frontier.appendLeafDigest(this.pendingLeaf);
      this.pendingLeaf = null;
    }
    const size = this.frontier.size;
    if (this.sizes[this.nextSize] !== size) return null;
    this.nextSize += 1;
    const here: Anchor = { size, headHash: this.head, merkleRoot: this.frontier.root() };
    const official = this.checkpoints.filter((c) => c.size === size);
    for (const checkpoint of official) {
      const fault = this.checkCheckpoint(checkpoint, here, 'the service');
      if (fault) return fault;
    }
    for (const checkpoint of this.saved.filter((c) => c.size === size)) {
      const fault =
        this.checkCheckpoint(checkpoint, here, 'a saved') ?? this.checkSaved(checkpoint, here, official);
      if (fault) return fault;
    }
    this.checkpointsVerified += official.length + this.saved.filter((c) => c.size === size).length;
    this.anchor = here;
    return null;
  }

  private checkCheckpoint(checkpoint: SignedCheckpoint, here: Anchor, whose: string): AuditFault | null {
    const at = this.anchor.size + 1;
    const name = `${whose} checkpoint of size ${checkpoint.size}`;
    if (checkpoint.ledgerId !== this.ledgerId) {
      return {
        code: 'LEDGER_MISMATCH',
        position: at,
        detail: `${name} is for ledger ${checkpoint.ledgerId}`,
      };
    }
    const key = this.trusted.get(checkpoint.keyId);
    if (!key) {
      return {
        code: 'CHECKPOINT_KEY_UNTRUSTED',
        position: at,
        detail: `${name} is signed by ${checkpoint.keyId}, not a trusted key`,
      };
    }
    if (key.retiredAt && Date.parse(checkpoint.time) > Date.parse(key.retiredAt)) {
      return {
        code: 'CHECKPOINT_KEY_UNTRUSTED',
        position: at,
        detail: `${name} is dated ${checkpoint.time}, after its key was retired (${key.retiredAt})`,
      };
    }
    if (!verifyCheckpointSignature(checkpoint, key.publicKeyPem)) {
      return {
        code: 'CHECKPOINT_SIGNATURE_INVALID',
        position: at,
        detail: `${name}: the signature does not verify`,
      };
    }
    if (whose === 'the service' && !agrees(checkpoint, here)) {
      return {
        code: 'CHECKPOINT_MISMATCH',
        position: at,
        detail: `${name} signed ${describe(checkpoint)}; the entries give ${describe(here)}: an entry in ${range(at, checkpoint.size)} changed after it was signed`,
      };
    }
    return null;
  }

  private checkSaved(
    saved: SignedCheckpoint,
    here: Anchor,
    official: readonly SignedCheckpoint[],
  ): AuditFault | null {
    const at = this.anchor.size + 1;
    const other = official.find((c) => !agrees(saved, c));
    if (other) {
      return {
        code: 'HISTORY_REWRITTEN',
        position: at,
        detail: `the saved checkpoint of size ${saved.size} (${describe(saved)}) and the service's (${describe(other)}, key ${other.keyId}) disagree: entries in ${range(at, saved.size)} were rewritten`,
      };
    }
    if (!agrees(saved, here)) {
      return {
        code: 'HISTORY_REWRITTEN',
        position: at,
        detail: `the saved checkpoint of size ${saved.size} signed ${describe(saved)}; the entries give ${describe(here)}: entries in ${range(at, saved.size)} were rewritten`,
      };
    }
    return null;
  }

  private truncation(): AuditFault | null {
    const beyond = this.sizes[this.nextSize];
    if (beyond === undefined) return null;
    const saved = this.saved.some((c) => c.size === beyond);
    return {
      code: 'TRUNCATED_TAIL',
      position: this.accepted + 1,
      detail: `${saved ? 'a saved' : 'the service'} checkpoint covers ${beyond} entries; the ledger ends at ${this.accepted}`,
    };
  }

  private failure(fault: AuditFault): AuditReport {
    const through = fault.position - 1;
    let head: string;
    let root: string;
    if (through === this.anchor.size) {
      ({ headHash: head, merkleRoot: root } = this.anchor);
    } else if (through === this.accepted) {
      if (this.pendingLeaf) this.frontier.appendLeafDigest(this.pendingLeaf);
      this.pendingLeaf = null;
      head = this.head;
      root = this.frontier.root();
    } else {
      // through === accepted - 1: the frontier still stops short of the last accepted entry.
      head = this.previousHead;
      root = this.frontier.root();
    }
    return { ...this.report(false, through, head, root), fault };
  }

  private report(ok: boolean, size: number, headHash: string, merkleRoot: string): AuditReport {
    return {
      ok,
      ledgerId: this.ledgerId,
      size,
      headHash,
      merkleRoot,
      verifiedThrough: size,
      checkpointsVerified: this.checkpointsVerified,
    };
  }
}

function agrees(
  a: Pick<Anchor, 'headHash' | 'merkleRoot'>,
  b: Pick<Anchor, 'headHash' | 'merkleRoot'>,
): boolean {
  return a.headHash === b.headHash && a.merkleRoot === b.merkleRoot;
}

function describe(anchor: Pick<Anchor, 'headHash' | 'merkleRoot'>): string {
  return `head ${anchor.headHash.slice(0, 12)}…, root ${anchor.merkleRoot.slice(0, 12)}…`;
}

function range(from: number, to: number): string {
  return from === to ? `${from}` : `${from}..${to}`;
}
