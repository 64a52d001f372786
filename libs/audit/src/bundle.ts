import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import { PostgresEventStore, sha256Hex } from '@ledger/event-store';
import type { PublicKeyRecord, SignedCheckpoint } from './checkpoint.js';
import {
  forEachLine,
  LINE_FILE,
  LineTooLongError,
  readLineBlocks,
  type BlockAllocator,
  type LineFileEntries,
} from './line-blocks.js';
import { EMPTY_ROOT, MerkleFrontier } from './merkle.js';
import type { AuditEntry } from './verify-ledger.js';

export const BUNDLE_FORMAT = 'supply-ledger/audit-bundle/v1';

export const BUNDLE_FILES = {
  events: 'events.jsonl',
  checkpoints: 'checkpoints.json',
  keys: 'keys.json',
  manifest: 'manifest.json',
} as const;

type DigestedFile = 'events.jsonl' | 'checkpoints.json' | 'keys.json';

export interface FileDigest {
  sha256: string;
  bytes: number;
}

/** What the export saw. Not signed: it catches accidents and edits that the chain alone cannot see. */
export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  ledgerId: string;
  size: number;
  headHash: string;
  merkleRoot: string;
  createdAt: string;
  files: Record<DigestedFile, FileDigest>;
}

/** A bundle that cannot be read as one (missing file, not JSON, wrong shape). */
export class BundleError extends Error {
  override readonly name = 'BundleError';
  constructor(
    message: string,
    /** The entry it concerns, or 0 for the bundle as a whole. */
    readonly position = 0,
  ) {
    super(message);
  }
}

export class BundleExistsError extends Error {
  override readonly name = 'BundleExistsError';
}

export interface ExportOptions {
  /** The manifest's `createdAt` (the caller's clock). */
  createdAt: string;
  /** Replace the bundle files already in `dir`. */
  force?: boolean;
  /** Called every `progressEvery` entries with the count written so far. */
  onProgress?: (written: number, total: number) => void;
  progressEvery?: number;
}

const PAGE_SIZE = 2_000;
const UNDEFINED_TABLE = '42P01';

/**
 * Writes the ledger as it is at the start of the export (every entry up to the head read then, and the
 * checkpoints no larger than that), streaming: memory stays flat whatever the ledger's size.
 */
export async function exportBundle(
  pool: pg.Pool,
  dir: string,
  options: ExportOptions,
): Promise<BundleManifest> {
  await prepareDirectory(dir, options.force ?? false);
  const store = new PostgresEventStore(pool);
  const ledgerId = await store.ledgerId();
  const through = (await store.head()).position;

  const events = await writeEntries(store, join(dir, BUNDLE_FILES.events), through, options);
  const checkpoints = await readCheckpoints(pool, through);
  const keys = await readKeys(pool);
  const checkpointsFile = await writeJson(join(dir, BUNDLE_FILES.checkpoints), checkpoints);
  const keysFile = await writeJson(join(dir, BUNDLE_FILES.keys), keys);
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    ledgerId,
    size: events.size,
    headHash: events.headHash ?? (await store.head()).hash,
    merkleRoot: events.merkleRoot,
    createdAt: options.createdAt,
    files: { 'events.jsonl': events.digest, 'checkpoints.json': checkpointsFile, 'keys.json': keysFile },
  };
  // The manifest last: a bundle with a manifest is a finished one.
  await writeJson(join(dir, BUNDLE_FILES.manifest), manifest);
  return manifest;
}

async function prepareDirectory(dir: string, force: boolean): Promise<void> {
  await mkdir(dir, { recursive: true });
  const present = (await readdir(dir)).filter((name) =>
    (Object.values(BUNDLE_FILES) as string[]).includes(name),
  );
  if (present.length > 0 && !force) {
    throw new BundleExistsError(`${dir} already holds a bundle (${present.join(', ')}); --force replaces it`);
  }
}

async function writeEntries(
  store: PostgresEventStore,
  path: string,
  through: number,
  options: ExportOptions,
): Promise<{ size: number; headHash: string | null; merkleRoot: string; digest: FileDigest }> {
  const partial = `${path}.partial`;
  const out = createWriteStream(partial);
  const digest = createHash('sha256');
  const frontier = new MerkleFrontier();
  const every = options.progressEvery ?? 100_000;
  let bytes = 0;
  let headHash: string | null = null;
  try {
    for await (const { entry } of store.readEntries({ through, pageSize: PAGE_SIZE })) {
      const line = Buffer.from(`${entry}\n`, 'utf8');
      digest.update(line);
      bytes += line.length;
      frontier.append(line.subarray(0, line.length - 1));
      headHash = sha256Hex(entry);
      if (!out.write(line)) await drained(out);
      if (frontier.size % every === 0) options.onProgress?.(frontier.size, through);
    }
  } finally {
    await new Promise<void>((resolve, reject) =>
      out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
  }
  await rename(partial, path);
  return {
    size: frontier.size,
    headHash,
    merkleRoot: frontier.size === 0 ? EMPTY_ROOT : frontier.root(),
    digest: { sha256: digest.digest('hex'), bytes },
  };
}

function drained(out: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    out.once('error', onError);
    out.once('drain', () => {
      out.off('error', onError);
      resolve();
    });
  });
}

async function readCheckpoints(pool: pg.Pool, through: number): Promise<SignedCheckpoint[]> {
  const rows = await optionalTable(() =>
    pool.query<{
      size: string;
      ledger_id: string;
      head_hash: string;
      merkle_root: string;
      time: Date;
      key_id: string;
      signature: string;
    }>({
      text: `SELECT size, ledger_id, head_hash, merkle_root, time, key_id, signature
             FROM audit_checkpoints WHERE size <= $1 ORDER BY size, time`,
      values: [through],
    }),
  );
  return rows.map((row) => ({
    ledgerId: row.ledger_id,
    size: Number(row.size),
    headHash: row.head_hash,
    merkleRoot: row.merkle_root,
    time: row.time.toISOString(),
    keyId: row.key_id,
    signature: row.signature,
  }));
}

async function readKeys(pool: pg.Pool): Promise<PublicKeyRecord[]> {
  const rows = await optionalTable(() =>
    pool.query<{ key_id: string; public_key_pem: string; created_at: Date; retired_at: Date | null }>(
      'SELECT key_id, public_key_pem, created_at, retired_at FROM audit_keys ORDER BY created_at, key_id',
    ),
  );
  return rows.map((row) => ({
    keyId: row.key_id,
    publicKeyPem: row.public_key_pem,
    createdAt: row.created_at.toISOString(),
    retiredAt: row.retired_at ? row.retired_at.toISOString() : null,
  }));
}

/** The audit tables come with the checkpointer; a database without them simply has no checkpoints yet. */
async function optionalTable<Row extends pg.QueryResultRow>(
  query: () => Promise<pg.QueryResult<Row>>,
): Promise<Row[]> {
  try {
    return (await query()).rows;
  } catch (error) {
    if ((error as { code?: string }).code === UNDEFINED_TABLE) return [];
    throw error;
  }
}

async function writeJson(path: string, value: unknown): Promise<FileDigest> {
  const bytes = Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
  await writeFile(`${path}.partial`, bytes);
  await rename(`${path}.partial`, path);
  return { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
}

/** A bundle opened for verification: the small files read and checked for shape, the events streamed. */
export interface OpenedBundle {
  dir: string;
  manifest: BundleManifest;
  checkpoints: SignedCheckpoint[];
  keys: PublicKeyRecord[];
  /** Digests of the small files as found. */
  digests: Record<'checkpoints.json' | 'keys.json', FileDigest>;
  /** Streams events.jsonl once: each line's exact bytes, numbered from 1. */
  entries(): AsyncIterable<AuditEntry>;
  /** The digest of events.jsonl, once `entries()` has been read to the end. */
  eventsDigest(): FileDigest | null;
}

export async function openBundle(dir: string): Promise<OpenedBundle> {
  const manifestFile = await readSmall(dir, BUNDLE_FILES.manifest);
  const checkpointsFile = await readSmall(dir, BUNDLE_FILES.checkpoints);
  const keysFile = await readSmall(dir, BUNDLE_FILES.keys);
  const manifest = parseManifest(parseJson(manifestFile, BUNDLE_FILES.manifest));
  const checkpoints = parseCheckpoints(
    parseJson(checkpointsFile, BUNDLE_FILES.checkpoints),
    BUNDLE_FILES.checkpoints,
  );
  const keys = parseKeys(parseJson(keysFile, BUNDLE_FILES.keys));
  let digest: FileDigest | null = null;
  const path = join(dir, BUNDLE_FILES.events);
  const bytes = await stat(path).then(
    (found) => found.size,
    () => null,
  );
  return {
    dir,
    manifest,
    checkpoints,
    keys,
    digests: { 'checkpoints.json': digestOf(checkpointsFile), 'keys.json': digestOf(keysFile) },
    entries: () => eventLines(path, bytes, (found) => (digest = found)),
    eventsDigest: () => digest,
  };
}

async function readSmall(dir: string, name: string): Promise<Buffer> {
  try {
    return await readFile(join(dir, name));
  } catch (error) {
    throw new BundleError(`${name}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function parseJson(bytes: Buffer, name: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new BundleError(`${name} is not JSON: ${(error as Error).message}`);
  }
}

function digestOf(bytes: Buffer): FileDigest {
  return { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function parseManifest(value: unknown): BundleManifest {
  if (!isRecord(value) || value.format !== BUNDLE_FORMAT) {
    throw new BundleError(`manifest.json is not a ${BUNDLE_FORMAT} manifest`);
  }
  const { ledgerId, size, headHash, merkleRoot, createdAt, files } = value;
  if (
    typeof ledgerId !== 'string' ||
    typeof size !== 'number' ||
    typeof headHash !== 'string' ||
    typeof merkleRoot !== 'string' ||
    typeof createdAt !== 'string' ||
    !isRecord(files)
  ) {
    throw new BundleError('manifest.json lacks ledgerId, size, headHash, merkleRoot, createdAt or files');
  }
  for (const name of ['events.jsonl', 'checkpoints.json', 'keys.json'] as const) {
    const file = files[name];
    if (!isRecord(file) || typeof file.sha256 !== 'string' || typeof file.bytes !== 'number') {
      throw new BundleError(`manifest.json has no sha256 and bytes for ${name}`);
    }
  }
  return value as unknown as BundleManifest;
}

/** Checkpoints as a list, a single checkpoint (as GET /v1/audit/checkpoints/latest gives), or `{ checkpoints }`. */
export function parseCheckpoints(value: unknown, name: string): SignedCheckpoint[] {
  const list = Array.isArray(value)
    ? value
    : isRecord(value) && Array.isArray(value.checkpoints)
      ? value.checkpoints
      : isRecord(value) && 'signature' in value
        ? [value]
        : null;
  if (!list) throw new BundleError(`${name} holds no checkpoints`);
  return list.map((item: unknown, i) => {
    if (
      !isRecord(item) ||
      typeof item.ledgerId !== 'string' ||
      typeof item.size !== 'number' ||
      typeof item.headHash !== 'string' ||
      typeof item.merkleRoot !== 'string' ||
      typeof item.time !== 'string' ||
      typeof item.keyId !== 'string' ||
      typeof item.signature !== 'string'
    ) {
      throw new BundleError(
        `${name}: checkpoint ${i + 1} lacks one of ledgerId, size, headHash, merkleRoot, time, keyId, signature`,
      );
    }
    return {
      ledgerId: item.ledgerId,
      size: item.size,
      headHash: item.headHash,
      merkleRoot: item.merkleRoot,
      time: item.time,
      keyId: item.keyId,
      signature: item.signature,
    };
  });
}

function parseKeys(value: unknown): PublicKeyRecord[] {
  if (!Array.isArray(value)) throw new BundleError('keys.json is not a list of keys');
  return value.map((item: unknown, i) => {
    if (
      !isRecord(item) ||
      typeof item.keyId !== 'string' ||
      typeof item.publicKeyPem !== 'string' ||
      typeof item.createdAt !== 'string' ||
      (item.retiredAt !== undefined && item.retiredAt !== null && typeof item.retiredAt !== 'string')
    ) {
      throw new BundleError(`keys.json: key ${i + 1} lacks keyId, publicKeyPem or createdAt`);
    }
    return {
      keyId: item.keyId,
      publicKeyPem: item.publicKeyPem,
      createdAt: item.createdAt,
      retiredAt: item.retiredAt ?? null,
    };
  });
}

/** Reads events.jsonl as blocks of whole lines; a file that cannot be read is a BundleError. */
async function* eventBlocks(path: string, allocate?: BlockAllocator): AsyncGenerator<Buffer> {
  try {
    yield* readLineBlocks(path, allocate);
  } catch (error) {
    if (error instanceof LineTooLongError) {
      throw new BundleError(`${BUNDLE_FILES.events}: ${error.message}`, error.line);
    }
    const { code } = error as NodeJS.ErrnoException;
    if (code) throw new BundleError(`${BUNDLE_FILES.events}: ${code}`);
    throw error;
  }
}

/**
 * The lines of events.jsonl as entries, hashing the whole file on the way; also readable as blocks of
 * lines (LINE_FILE), which lets the verifier hash them on worker threads.
 */
function eventLines(
  path: string,
  bytes: number | null,
  onEnd: (digest: FileDigest) => void,
): LineFileEntries {
  return {
    [LINE_FILE]: { bytes, blocks: (allocate) => eventBlocks(path, allocate), onEnd },
    async *[Symbol.asyncIterator]() {
      const digest = createHash('sha256');
      let read = 0;
      let position = 0;
      for await (const block of eventBlocks(path)) {
        digest.update(block);
        read += block.length;
        const entries: AuditEntry[] = [];
        forEachLine(block, (start, end) =>
          entries.push({ position: ++position, entry: block.subarray(start, end) }),
        );
        yield* entries;
      }
      onEnd({ sha256: digest.digest('hex'), bytes: read });
    },
  };
}

/** Where the bundle disagrees with its own manifest, or null. Checked after the entries verified. */
export function manifestDisagreement(
  bundle: OpenedBundle,
  verified: { ledgerId: string; size: number; headHash: string; merkleRoot: string },
): { position: number; detail: string } | null {
  const { manifest } = bundle;
  if (manifest.ledgerId !== verified.ledgerId) {
    return {
      position: 1,
      detail: `the manifest names ledger ${manifest.ledgerId}, the entries are ${verified.ledgerId}'s`,
    };
  }
  if (manifest.size !== verified.size) {
    return {
      position: Math.min(manifest.size, verified.size) + 1,
      detail: `the manifest says ${manifest.size} entries, events.jsonl holds ${verified.size}`,
    };
  }
  if (manifest.headHash !== verified.headHash || manifest.merkleRoot !== verified.merkleRoot) {
    return {
      position: verified.size,
      detail:
        'the manifest names another head and root than the entries give: the last entry, or a tail re-sealed up to it, changed',
    };
  }
  const found: Record<DigestedFile, FileDigest | null> = {
    ...bundle.digests,
    'events.jsonl': bundle.eventsDigest(),
  };
  for (const name of ['events.jsonl', 'checkpoints.json', 'keys.json'] as const) {
    const file = found[name];
    if (file && file.sha256 !== manifest.files[name].sha256) {
      return {
        position: 0,
        detail: `${name} is not the file that was exported (sha256 ${file.sha256}, manifest ${manifest.files[name].sha256})`,
      };
    }
  }
  return null;
}
