import type pg from 'pg';
import {
  canonicalize,
  parseEntry,
  sha256Hex,
  type LedgerEntry,
  type PostgresEventStore,
  type StoredEntry,
} from '@ledger/event-store';
import {
  signCheckpoint,
  verifyCheckpointSignature,
  type PublicKeyRecord,
  type SignedCheckpoint,
  type SigningKey,
} from './checkpoint.js';
import { MerkleFrontier } from './merkle.js';
import { verifyLedger, type AuditReport } from './verify-ledger.js';

/** Where the private key lives: never the database, so that whoever can write it cannot sign. */
export interface SigningKeyRing {
  /** The key that signs now. */
  current(): SigningKey;
  /** Makes a new key current and forgets the old private key; throws when keys are managed elsewhere. */
  rotate(createdAt: string): SigningKey;
}

export interface CheckpointerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Why the checkpointer will not sign: the history it verified earlier is not the one stored now. */
export interface HistoryFault {
  code: string;
  /** The ledger position (or checkpoint size) where the difference was found. */
  position: number;
  detail: string;
}

export interface CheckpointerObserver {
  signed?(checkpoint: SignedCheckpoint): void;
  refused?(reason: string): void;
  /** After every verification: is the stored history the one verified before? */
  integrity?(intact: boolean): void;
}

export interface CheckpointerOptions {
  pool: pg.Pool;
  store: PostgresEventStore;
  keys: SigningKeyRing;
  clock?: () => Date;
  /** Sign every this often when the ledger grew (default 60 s); 0: only on demand. */
  intervalMs?: number;
  /**
   * Re-verify the whole ledger against every stored checkpoint at least this often (default 1 h); 0:
   * before every checkpoint. In between, only what was added is read (see `Checkpointer`).
   */
  fullVerifyIntervalMs?: number;
  pageSize?: number;
  logger?: CheckpointerLogger;
  observer?: CheckpointerObserver;
}

/** `refusing`: the history changed (`fault`) or this instance's key was retired (`lastError`). */
export type CheckpointerState = 'stopped' | 'starting' | 'ready' | 'refusing';

export interface CheckpointerStatus {
  state: CheckpointerState;
  /** False once a stored entry or checkpoint differs from what was verified; signing stops. */
  historyIntact: boolean;
  /** Entries read and verified in memory (the frontier's size). */
  verifiedThrough: number;
  lastCheckpoint: { size: number; time: string; keyId: string } | null;
  lastFullVerificationAt: string | null;
  fault: HistoryFault | null;
  /** Why the last run failed for a reason other than the history (database down, key retired...). */
  lastError: string | null;
}

export type CheckpointResult =
  | { signed: true; checkpoint: SignedCheckpoint }
  /** The ledger has not grown past the latest checkpoint (null: nothing stamped and nothing signed). */
  | { signed: false; checkpoint: SignedCheckpoint | null };

export class HistoryChangedError extends Error {
  override readonly name = 'HistoryChangedError';
  constructor(readonly fault: HistoryFault) {
    super(`the stored history changed: ${fault.code} at ${fault.position}: ${fault.detail}`);
  }
}

export class SigningKeyRetiredError extends Error {
  override readonly name = 'SigningKeyRetiredError';
  constructor(readonly keyId: string) {
    super(`the signing key ${keyId} is retired in audit_keys; configure the current key`);
  }
}

export class CheckpointerStoppedError extends Error {
  override readonly name = 'CheckpointerStoppedError';
  constructor() {
    super('the checkpointer is stopped');
  }
}

/** One signer per database at a time: a session-level advisory lock held for one signing round. */
const SIGNER_LOCK = "hashtextextended('supply-ledger:checkpointer', 0)";
const DEFAULT_PAGE = 1000;
const CHECKPOINT_COLUMNS = 'size, ledger_id, head_hash, merkle_root, time, key_id, signature';

interface CheckpointRow {
  size: string;
  ledger_id: string;
  head_hash: string;
  merkle_root: string;
  time: Date;
  key_id: string;
  signature: string;
}

interface KeyRow {
  key_id: string;
  public_key_pem: string;
  created_at: Date;
  retired_at: Date | null;
}

/**
 * The chain after a verified entry: each new entry must sit at the next position, be RFC 8785, hash
 * to its stored hash and link to the head. (Fault codes as `verifyLedger`'s, FORMAT.md.)
 */
class ChainCursor {
  constructor(
    private position: number,
    private head: string,
  ) {}

  get headHash(): string {
    return this.head;
  }

  check(stored: StoredEntry): HistoryFault | null {
    const at = this.position + 1;
    const fault = (code: string, detail: string): HistoryFault => ({ code, position: at, detail });
    if (stored.position !== at)
      return fault('EVENT_DELETED', `expected position ${at}, found ${stored.position}`);
    let parsed: LedgerEntry;
    try {
      parsed = parseEntry(stored.entry);
      if (canonicalize(parsed) !== stored.entry) {
        return fault('ENTRY_NOT_CANONICAL', 'entry bytes are not RFC 8785');
      }
    } catch (error) {
      return fault('ENTRY_UNREADABLE', (error as Error).message);
    }
    const hash = sha256Hex(stored.entry);
    if (hash !== stored.hash)
      return fault('ENTRY_HASH_MISMATCH', `stored hash ${stored.hash}, entry hashes to ${hash}`);
    if (parsed.position !== at || parsed.prevHash !== this.head) {
      return fault('CHAIN_BROKEN', `entry says position ${parsed.position} after ${parsed.prevHash}`);
    }
    this.position = at;
    this.head = hash;
    return null;
  }
}

/** What the checkpointer holds after verifying: the chain and the Merkle frontier over entries 1..size. */
interface Verified {
  ledgerId: string;
  chain: ChainCursor;
  frontier: MerkleFrontier;
  /** The newest stored checkpoint that was compared with this state. */
  anchor: SignedCheckpoint | null;
}

/**
 * Signs checkpoints of the ledger (size, chain head, RFC 6962 Merkle root, time) and refuses, loudly, to
 * sign a history that changed.
 *
 * It keeps the hash chain and the Merkle frontier in memory as the ledger grows, so a checkpoint costs
 * only the entries added since the last one. A full verification (every entry from genesis, against
 * every stored checkpoint and its signature) runs at start, on demand, after any surprise and at least
 * every `fullVerifyIntervalMs`. Between two full runs each round checks the stored checkpoint it last
 * verified, the stored entry at its frontier (hash and bytes) and that every new entry links to it.
 * The trade-off: an entry edited in the middle of the history in between is noticed at the next full
 * run, not at once; but it can never be signed, because a checkpoint's root and head are computed from
 * the entries as they were verified when read, never from what the database holds later.
 */
export class Checkpointer {
  private readonly pool: pg.Pool;
  private readonly store: PostgresEventStore;
  private readonly keys: SigningKeyRing;
  private readonly clock: () => Date;
  private readonly intervalMs: number;
  private readonly fullVerifyIntervalMs: number;
  private readonly pageSize: number;
  private readonly logger: CheckpointerLogger;
  private readonly observer: CheckpointerObserver;

  private verified: Verified | null = null;
  private lastFullAt: number | null = null;
  private fault: HistoryFault | null = null;
  private lastError: string | null = null;
  private state: CheckpointerState = 'stopped';
  private timer: NodeJS.Timeout | null = null;
  /** Every round runs alone in this process; across processes the advisory lock takes over. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: CheckpointerOptions) {
    this.pool = options.pool;
    this.store = options.store;
    this.keys = options.keys;
    this.clock = options.clock ?? (() => new Date());
    this.intervalMs = options.intervalMs ?? 60_000;
    this.fullVerifyIntervalMs = options.fullVerifyIntervalMs ?? 3_600_000;
    this.pageSize = options.pageSize ?? DEFAULT_PAGE;
    this.logger = options.logger ?? { log: () => undefined, warn: () => undefined, error: () => undefined };
    this.observer = options.observer ?? {};
  }

  /** Verifies the whole ledger once, signs if it grew, then signs every `intervalMs` when it grew. */
  start(): void {
    if (this.state !== 'stopped') return;
    this.state = 'starting';
    this.runScheduled();
  }

  /** Waits for a round in progress to finish; later calls to `checkpoint()` are refused. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.state = 'stopped';
    await this.queue.catch(() => undefined);
  }

  status(): CheckpointerStatus {
    const anchor = this.verified?.anchor ?? null;
    return {
      state: this.state,
      historyIntact: this.fault === null,
      verifiedThrough: this.verified?.frontier.size ?? 0,
      lastCheckpoint: anchor ? { size: anchor.size, time: anchor.time, keyId: anchor.keyId } : null,
      lastFullVerificationAt: this.lastFullAt === null ? null : new Date(this.lastFullAt).toISOString(),
      fault: this.fault,
      lastError: this.lastError,
    };
  }

  /**
   * Signs a checkpoint of the ledger as stamped now, after verifying it (`full`: from genesis). Throws
   * HistoryChangedError when the history changed, SigningKeyRetiredError when this key may not sign.
   */
  checkpoint(options: { full?: boolean } = {}): Promise<CheckpointResult> {
    return this.exclusive(() => this.round(options.full ?? false));
  }

  /** Makes a new signing key current and retires every other published key. */
  rotateKey(): Promise<{ current: PublicKeyRecord; retired: PublicKeyRecord[] }> {
    return this.exclusive(async () => {
      const key = this.keys.rotate(this.clock().toISOString());
      const retired = await this.withSignerLock(async (client) => {
        await client.query('BEGIN');
        try {
          const retiredNow = await this.publish(client, key);
          await client.query('COMMIT');
          return retiredNow;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      });
      this.logger.log(`checkpointer: signing key rotated to ${key.keyId}`);
      const current = { keyId: key.keyId, publicKeyPem: key.publicKeyPem, createdAt: key.createdAt };
      return { current: { ...current, retiredAt: null }, retired };
    });
  }

  /** The next round verifies from genesis (after an outside verification found a fault, say). */
  requestFullVerification(): void {
    this.lastFullAt = null;
  }

  private exclusive<T>(run: () => Promise<T>): Promise<T> {
    if (this.state === 'stopped') return Promise.reject(new CheckpointerStoppedError());
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** A round now (queued ahead of any later call), then the next one `intervalMs` after it ends. */
  private runScheduled(): void {
    // Signing only on demand (intervalMs 0): the first round still verifies, and signs nothing.
    this.exclusive(() => this.round(false, this.intervalMs > 0))
      .catch(() => undefined) // round() has logged and recorded it
      .finally(() => {
        if (this.state === 'stopped' || this.intervalMs <= 0) return;
        this.timer = setTimeout(() => {
          this.timer = null;
          this.runScheduled();
        }, this.intervalMs);
        this.timer.unref();
      });
  }

  private async round(full: boolean, signing = true): Promise<CheckpointResult> {
    try {
      let result: CheckpointResult | null = null;
      // Another signer can only get in if this one's lock was lost; then verify everything and retry.
      for (let attempt = 1; result === null; attempt++) {
        result = await this.withSignerLock(async (client) => {
          const verified = await this.verify(full);
          if (!signing) return { signed: false, checkpoint: verified.anchor };
          return this.sign(client, verified, attempt < 3);
        });
      }
      this.lastError = null;
      if (this.state === 'starting' || this.state === 'refusing') this.state = 'ready';
      return result;
    } catch (error) {
      if (error instanceof HistoryChangedError) {
        this.refuse(error.fault);
      } else {
        this.lastError = (error as Error).message;
        if (error instanceof SigningKeyRetiredError) {
          if (this.state !== 'stopped') this.state = 'refusing';
          this.observer.refused?.('SIGNING_KEY_RETIRED');
          this.logger.error(`checkpointer: REFUSING TO SIGN: ${error.message}`);
        } else {
          this.logger.warn(`checkpointer: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      throw error;
    }
  }

  private refuse(fault: HistoryFault): void {
    const first = this.fault === null;
    this.fault = fault;
    this.verified = null;
    if (this.state !== 'stopped') this.state = 'refusing';
    this.observer.integrity?.(false);
    this.observer.refused?.(fault.code);
    this.logger.error(
      `checkpointer: REFUSING TO SIGN: the stored history changed${first ? '' : ' (still)'}: ` +
        `${fault.code} at position ${fault.position}: ${fault.detail}`,
    );
  }

  /** The verified state through the ledger's current head, from genesis when due or asked for. */
  private async verify(full: boolean): Promise<Verified> {
    const due =
      this.verified === null ||
      this.fault !== null ||
      this.lastFullAt === null ||
      this.clock().getTime() - this.lastFullAt >= this.fullVerifyIntervalMs;
    if (full || due) return this.verifyFully();
    const outcome = await this.catchUp(this.verified!);
    // A checkpoint stored by another signer inside what was already read cannot be compared
    // incrementally; compare everything instead.
    return outcome === 'needs-full' ? this.verifyFully() : this.verified!;
  }

  /**
   * The auditor's own verification (`verifyLedger`) of every entry from genesis against every stored
   * checkpoint and published key, with the Merkle frontier rebuilt alongside from the same bytes.
   */
  private async verifyFully(): Promise<Verified> {
    const startedAt = this.clock().getTime();
    const ledgerId = await this.store.ledgerId();
    const checkpoints: SignedCheckpoint[] = [];
    for await (const checkpoint of this.storedCheckpoints(-1)) checkpoints.push(checkpoint);
    const trustedKeys = await readPublicKeys(this.pool);
    // Read after the checkpoints: every checkpoint read covers entries already stamped.
    const head = await this.store.head();
    const frontier = new MerkleFrontier();
    const entries = this.store.readEntries({ through: head.position, pageSize: this.pageSize });
    const report = await verifyLedger({
      ledgerId,
      entries: (async function* () {
        for await (const entry of entries) {
          frontier.append(entry.entry);
          yield entry;
        }
      })(),
      checkpoints,
      trustedKeys,
    });
    if (!report.ok) throw new HistoryChangedError(report.fault!);
    if (report.size !== head.position) {
      throw new HistoryChangedError({
        code: 'EVENT_DELETED',
        position: report.size + 1,
        detail: `the ledger's head is ${head.position} but it holds only ${report.size} entries`,
      });
    }
    if (frontier.size !== report.size || frontier.root() !== report.merkleRoot) {
      throw new Error(`internal: the frontier (${frontier.size}) disagrees with the verification`);
    }
    const state: Verified = {
      ledgerId,
      chain: new ChainCursor(report.size, report.headHash),
      frontier,
      anchor: checkpoints.at(-1) ?? null,
    };
    this.adopt(state);
    this.lastFullAt = startedAt;
    this.logger.log(
      `checkpointer: verified ${report.size} entries and ${report.checkpointsVerified} checkpoints ` +
        `in ${this.clock().getTime() - startedAt} ms`,
    );
    return state;
  }

  /**
   * Only what is new since the last round: the checkpoint verified last is still stored unchanged, the
   * entry at the frontier still has the verified hash, and every entry after it extends the chain.
   */
  private async catchUp(state: Verified): Promise<'ok' | 'needs-full'> {
    const { anchor, frontier } = state;
    const keys = await this.publicKeys();
    const stored: SignedCheckpoint[] = [];
    for await (const checkpoint of this.storedCheckpoints(anchor ? anchor.size - 1 : -1))
      stored.push(checkpoint);
    if (anchor) {
      const first = stored.shift();
      if (!first || first.size !== anchor.size) {
        throw new HistoryChangedError({
          code: 'CHECKPOINT_MISSING',
          position: anchor.size,
          detail: `the checkpoint of size ${anchor.size} verified earlier is no longer stored`,
        });
      }
      if (!sameCheckpoint(first, anchor)) {
        throw new HistoryChangedError({
          code: 'CHECKPOINT_CHANGED',
          position: anchor.size,
          detail: `the stored checkpoint of size ${anchor.size} differs from the one verified`,
        });
      }
    }
    const newer = stored;
    if (newer.some((checkpoint) => checkpoint.size <= frontier.size)) return 'needs-full';

    if (frontier.size > 0) {
      const { rows } = await this.pool.query<{ hash: Buffer; entry: string }>(
        'SELECT hash, entry FROM ledger WHERE position = $1',
        [frontier.size],
      );
      const row = rows[0];
      const verifiedHash = state.chain.headHash;
      if (!row || row.hash.toString('hex') !== verifiedHash || sha256Hex(row.entry) !== verifiedHash) {
        throw new HistoryChangedError({
          code: row ? 'ENTRY_CHANGED' : 'EVENT_DELETED',
          position: frontier.size,
          detail: row
            ? `entry ${frontier.size} no longer hashes to ${verifiedHash}, as verified earlier`
            : `entry ${frontier.size}, verified earlier, is no longer stored`,
        });
      }
    }

    const head = await this.store.head();
    if (head.position < frontier.size) {
      throw new HistoryChangedError({
        code: 'EVENT_DELETED',
        position: head.position + 1,
        detail: `the ledger's head went back from ${frontier.size} to ${head.position}`,
      });
    }
    const next = newer.values();
    let pending = next.next();
    for await (const entry of this.store.readEntries({
      after: frontier.size,
      through: head.position,
      pageSize: this.pageSize,
    })) {
      this.extend(state, entry);
      while (!pending.done && pending.value.size === frontier.size) {
        this.compare(pending.value, state, keys);
        state.anchor = pending.value;
        pending = next.next();
      }
    }
    if (frontier.size < head.position) {
      throw new HistoryChangedError({
        code: 'EVENT_DELETED',
        position: frontier.size + 1,
        detail: `the ledger's head is ${head.position} but only ${frontier.size} entries were read`,
      });
    }
    if (!pending.done) {
      throw new HistoryChangedError({
        code: 'TRUNCATED_TAIL',
        position: pending.value.size,
        detail: `a checkpoint of size ${pending.value.size} is stored but the ledger holds ${frontier.size} entries`,
      });
    }
    this.adopt(state);
    return 'ok';
  }

  private extend(state: Verified, entry: StoredEntry): void {
    const fault = state.chain.check(entry);
    if (fault) throw new HistoryChangedError(fault);
    state.frontier.append(entry.entry);
  }

  /** A stored checkpoint must name this ledger, match the verified state at its size and be signed. */
  private compare(checkpoint: SignedCheckpoint, state: Verified, keys: Map<string, PublicKeyRecord>): void {
    const fail = (code: string, detail: string) =>
      new HistoryChangedError({ code, position: checkpoint.size, detail });
    if (checkpoint.ledgerId !== state.ledgerId) {
      throw fail('LEDGER_MISMATCH', `checkpoint names ledger ${checkpoint.ledgerId}`);
    }
    const headHash = state.chain.headHash;
    if (checkpoint.headHash !== headHash) {
      throw fail(
        'CHECKPOINT_HEAD_MISMATCH',
        `checkpoint head ${checkpoint.headHash}, entries give ${headHash}`,
      );
    }
    const root = state.frontier.root();
    if (checkpoint.merkleRoot !== root) {
      throw fail(
        'CHECKPOINT_ROOT_MISMATCH',
        `checkpoint root ${checkpoint.merkleRoot}, entries give ${root}`,
      );
    }
    const key = keys.get(checkpoint.keyId);
    if (!key || !verifyCheckpointSignature(checkpoint, key.publicKeyPem)) {
      throw fail('CHECKPOINT_SIGNATURE_INVALID', `no valid signature by ${checkpoint.keyId}`);
    }
  }

  private adopt(state: Verified): void {
    this.verified = state;
    if (this.fault) this.logger.log('checkpointer: the stored history verifies again; signing resumes');
    this.fault = null;
    this.observer.integrity?.(true);
  }

  /** Signs the verified state unless the latest checkpoint already covers it. */
  private async sign(
    client: pg.PoolClient,
    state: Verified,
    mayRetry: boolean,
  ): Promise<CheckpointResult | null> {
    await client.query('BEGIN');
    try {
      const { rows } = await client.query<CheckpointRow>(
        `SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints ORDER BY size DESC LIMIT 1`,
      );
      const latest = rows[0] ? fromRow(rows[0]) : null;
      const size = state.frontier.size;
      if (latest && latest.size !== state.anchor?.size) {
        // Another signer got in after this round verified: verify again, from genesis.
        this.verified = null;
        await client.query('ROLLBACK');
        if (mayRetry) return null;
        throw new Error(`checkpoints keep appearing from another signer (latest ${latest.size})`);
      }
      if ((latest && latest.size >= size) || (!latest && size === 0)) {
        await client.query('ROLLBACK');
        return { signed: false, checkpoint: latest };
      }
      // Only now: a service that never signs never needs (or generates) a key.
      const key = this.keys.current();
      await this.publish(client, key);
      const { rows: keyRows } = await client.query<KeyRow>(
        'SELECT key_id, public_key_pem, created_at, retired_at FROM audit_keys WHERE key_id = $1 FOR SHARE',
        [key.keyId],
      );
      const record = keyRows[0]!;
      if (record.retired_at !== null) throw new SigningKeyRetiredError(key.keyId);
      const now = this.clock().getTime();
      // Time never goes back, whatever the clocks of several instances say.
      const time = new Date(
        Math.max(now, latest ? Date.parse(latest.time) : 0, record.created_at.getTime()),
      ).toISOString();
      const checkpoint = signCheckpoint(
        {
          ledgerId: state.ledgerId,
          size,
          headHash: state.chain.headHash,
          merkleRoot: state.frontier.root(),
          time,
        },
        key,
      );
      await client.query(
        `INSERT INTO audit_checkpoints (${CHECKPOINT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          size,
          checkpoint.ledgerId,
          checkpoint.headHash,
          checkpoint.merkleRoot,
          time,
          key.keyId,
          checkpoint.signature,
        ],
      );
      await client.query('COMMIT');
      state.anchor = checkpoint;
      this.observer.signed?.(checkpoint);
      this.logger.log(`checkpointer: signed checkpoint ${size} (${checkpoint.merkleRoot}) with ${key.keyId}`);
      return { signed: true, checkpoint };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /**
   * Makes `key` the published current key: stored if new, and then every other key still in service is
   * retired, no earlier than the last checkpoint it signed. Returns the keys retired now.
   */
  private async publish(client: pg.PoolClient, key: SigningKey): Promise<PublicKeyRecord[]> {
    const inserted = await client.query(
      `INSERT INTO audit_keys (key_id, public_key_pem, created_at) VALUES ($1, $2, $3)
       ON CONFLICT (key_id) DO NOTHING`,
      [key.keyId, key.publicKeyPem, key.createdAt],
    );
    if (inserted.rowCount === 0) return [];
    const { rows } = await client.query<KeyRow>(
      `UPDATE audit_keys k SET retired_at = greatest($2::timestamptz, k.created_at,
         (SELECT max(c.time) FROM audit_checkpoints c WHERE c.key_id = k.key_id))
       WHERE k.retired_at IS NULL AND k.key_id <> $1
       RETURNING key_id, public_key_pem, created_at, retired_at`,
      [key.keyId, this.clock().toISOString()],
    );
    for (const row of rows) this.logger.log(`checkpointer: signing key ${row.key_id} retired`);
    return rows.map(keyFromRow);
  }

  private async withSignerLock<T>(run: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // Held across other queries: a connection lost meanwhile must not be an unhandled 'error' event.
    const onError = (error: Error) => {
      broken ??= error;
    };
    client.on('error', onError);
    try {
      await client.query(`SELECT pg_advisory_lock(${SIGNER_LOCK})`);
      try {
        return await run(client);
      } finally {
        await client.query(`SELECT pg_advisory_unlock(${SIGNER_LOCK})`).catch((error: Error) => {
          broken = error;
        });
      }
    } catch (error) {
      broken ??= error as Error;
      throw error;
    } finally {
      // A connection whose unlock failed may still hold the lock: end it rather than pool it.
      client.off('error', onError);
      client.release(broken);
    }
  }

  private async publicKeys(): Promise<Map<string, PublicKeyRecord>> {
    return new Map((await readPublicKeys(this.pool)).map((key) => [key.keyId, key]));
  }

  /** Stored checkpoints of size greater than `after`, smallest first, page by page. */
  private async *storedCheckpoints(after: number): AsyncGenerator<SignedCheckpoint> {
    for (;;) {
      const page = await readCheckpoints(this.pool, { after, limit: this.pageSize, order: 'asc' });
      yield* page;
      if (page.length < this.pageSize) return;
      after = page[page.length - 1]!.size;
    }
  }
}

/**
 * The auditor's verification (`verifyLedger`) over what the database holds: every entry with its stored
 * hash, every stored checkpoint, and the published keys as the trusted ones. An auditor who pins keys and
 * keeps checkpoints of their own (`ledger verify`) trusts the database less than this does.
 */
export async function verifyStoredLedger(pool: pg.Pool, store: PostgresEventStore): Promise<AuditReport> {
  const checkpoints: SignedCheckpoint[] = [];
  for (let after = -1; ;) {
    const page = await readCheckpoints(pool, { after, limit: DEFAULT_PAGE, order: 'asc' });
    checkpoints.push(...page);
    if (page.length < DEFAULT_PAGE) break;
    after = page[page.length - 1]!.size;
  }
  const trustedKeys = await readPublicKeys(pool);
  // Entries are read after the checkpoints: every checkpoint read covers entries already stamped.
  return verifyLedger({
    ledgerId: await store.ledgerId(),
    entries: store.readEntries(),
    checkpoints,
    trustedKeys,
  });
}

/** Stored checkpoints, by size: ascending after `after`, or descending below `before`. */
export async function readCheckpoints(
  pool: pg.Pool,
  options: { after?: number; before?: number; limit: number; order: 'asc' | 'desc' },
): Promise<SignedCheckpoint[]> {
  const { rows } = await pool.query<CheckpointRow>(
    `SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints
     WHERE size > $1 AND size < $2 ORDER BY size ${options.order === 'asc' ? 'ASC' : 'DESC'} LIMIT $3`,
    [options.after ?? -1, options.before ?? Number.MAX_SAFE_INTEGER, options.limit],
  );
  return rows.map(fromRow);
}

export async function readLatestCheckpoint(pool: pg.Pool): Promise<SignedCheckpoint | null> {
  return (await readCheckpoints(pool, { limit: 1, order: 'desc' }))[0] ?? null;
}

/** Every published public key, oldest first. */
export async function readPublicKeys(pool: pg.Pool): Promise<PublicKeyRecord[]> {
  const { rows } = await pool.query<KeyRow>(
    'SELECT key_id, public_key_pem, created_at, retired_at FROM audit_keys ORDER BY created_at, key_id',
  );
  return rows.map(keyFromRow);
}

function fromRow(row: CheckpointRow): SignedCheckpoint {
  return {
    ledgerId: row.ledger_id,
    size: Number(row.size),
    headHash: row.head_hash,
    merkleRoot: row.merkle_root,
    time: row.time.toISOString(),
    keyId: row.key_id,
    signature: row.signature,
  };
}

function keyFromRow(row: KeyRow): PublicKeyRecord {
  return {
    keyId: row.key_id,
    publicKeyPem: row.public_key_pem,
    createdAt: row.created_at.toISOString(),
    retiredAt: row.retired_at?.toISOString() ?? null,
  };
}

function sameCheckpoint(a: SignedCheckpoint, b: SignedCheckpoint): boolean {
  return (
    a.ledgerId === b.ledgerId &&
    a.size === b.size &&
    a.headHash === b.headHash &&
    a.merkleRoot === b.merkleRoot &&
    a.time === b.time &&
    a.keyId === b.keyId &&
    a.signature === b.signature
  );
}
