import type pg from 'pg';
import { StampTimeoutError } from '../errors.js';
import type { JsonObject } from '../json.js';
import { ChainVerifier, parseEntry, type ChainFault, type StoredEntry } from '../ledger/hash-chain.js';
import { LedgerSignals } from '../ledger-signals.js';
import type { AppendResult, EventMetadata, LedgerEvent, RecordedEvent, StreamAppend } from '../types.js';
import { Upcasters } from '../upcasters.js';
import { ledgerIdentity } from './ledger-identity.js';
import { AppendCombiner, DEFAULT_COMBINER, runAlone, type CombinerOptions } from './append-combiner.js';
import { prepareAppend } from './prepared-append.js';

export interface EventStoreOptions {
  upcasters?: Upcasters;
  /** Shared with the sequencer so that, in one process, stamping and waiting react at once. */
  signals?: LedgerSignals;
  /** How concurrent appends are grouped into shared transactions (see AppendCombiner). */
  combine?: CombinerOptions;
}

export interface AppendOptions {
  /**
   * Append inside the caller's transaction (READ COMMITTED). The caller commits or rolls back; on an error
   * the transaction is aborted and must be rolled back.
   */
  client?: pg.PoolClient;
}

export interface ReadStreamOptions {
  /** First stream version to return (default 1). */
  fromVersion?: number;
  limit?: number;
}

export interface ReadLedgerOptions {
  /** Return events after this position (default 0: from the first). */
  after?: number;
  /** Stop after this position (default: whatever the ledger holds when the read reaches it). */
  through?: number;
  pageSize?: number;
}

export interface FollowOptions extends Omit<ReadLedgerOptions, 'through'> {
  signal: AbortSignal;
  /** How long to wait for a stamp before polling again when caught up (default 50 ms). */
  pollMs?: number;
}

export type ChainVerification =
  | { ok: true; verifiedThrough: number; headHash: string }
  | { ok: false; verifiedThrough: number; fault: ChainFault };

const DEFAULT_PAGE = 1000;
/** How long a wait for a stamp trusts this process's sequencer to announce it before asking the ledger. */
const LOCAL_STAMP_WAIT_MS = 50;

/**
 * The event store on PostgreSQL: appends with per-stream optimistic concurrency, stream reads, and reads of
 * the ledger (events stamped by the sequencer with dense positions and the hash chain, in ledger order).
 */
export class PostgresEventStore {
  readonly signals: LedgerSignals;
  private readonly upcasters: Upcasters;
  private readonly combiner: AppendCombiner;
  private ledgerIdCache: string | undefined;

  constructor(
    private readonly pool: pg.Pool,
    options: EventStoreOptions = {},
  ) {
    this.upcasters = options.upcasters ?? new Upcasters();
    this.signals = options.signals ?? new LedgerSignals();
    this.combiner = new AppendCombiner(pool, options.combine ?? DEFAULT_COMBINER);
  }

  /**
   * Appends to one or more streams atomically, each checked against its own expected version. Any mismatch
   * raises WrongExpectedVersionError and nothing of the append is written. Concurrent appends may share a
   * transaction (group commit, see AppendCombiner); each stays whole and independent of the others.
   */
  async append(
    appends: StreamAppend | readonly StreamAppend[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    const list = Array.isArray(appends) ? (appends as readonly StreamAppend[]) : [appends as StreamAppend];
    const prepared = prepareAppend(list);
    const started = performance.now();
    let result: AppendResult;
    if (options.client) {
      const outcome = await runAlone(options.client, prepared);
      if (!outcome.ok) throw outcome.error;
      result = outcome.result;
    } else {
      result = await this.combiner.append(prepared);
    }
    this.signals.appended(performance.now() - started);
    return result;
  }

  /**
   * The stream's events in version order, committed ones only (stamped onto the ledger or not yet), whether
   * written to this stream or linked into it.
   */
  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const { rows } = await this.pool.query<EventRow>({
      text: `SELECT e.event_id, $1::text AS stream_id, member.stream_version, e.type, e.schema_version, e.data,
                    e.metadata, e.recorded_at
             FROM (SELECT event_id, stream_version FROM events WHERE stream_id = $1 AND stream_version >= $2
                   UNION ALL
                   SELECT event_id, stream_version FROM event_links WHERE stream_id = $1 AND stream_version >= $2
                  ) AS member
             JOIN events e ON e.event_id = member.event_id
             ORDER BY member.stream_version LIMIT $3`,
      values: [streamId, options.fromVersion ?? 1, options.limit ?? null],
    });
    return rows.map((row) => this.fromRow(row));
  }

  /** The stream's current version; 0 when it has no events. */
  async streamVersion(streamId: string): Promise<number> {
    const { rows } = await this.pool.query<{ version: number }>(
      `SELECT greatest((SELECT max(stream_version) FROM events WHERE stream_id = $1),
                       (SELECT max(stream_version) FROM event_links WHERE stream_id = $1), 0) AS version`,
      [streamId],
    );
    return rows[0]?.version ?? 0;
  }

  /** One event by id, as written (its own stream and version), or null when no such event is stored. */
  async eventById(eventId: string): Promise<RecordedEvent | null> {
    const { rows } = await this.pool.query<EventRow>(
      `SELECT event_id, stream_id, stream_version, type, schema_version, data, metadata, recorded_at
       FROM events WHERE event_id = $1`,
      [eventId],
    );
    return rows[0] ? this.fromRow(rows[0]) : null;
  }

  /** Up to `limit` ledger events after `after`, in ledger order. */
  async readLedgerPage(after: number, limit: number): Promise<LedgerEvent[]> {
    const rows = await this.readEntryPage(after, limit);
    return rows.map((row) => this.fromEntry(row));
  }

  /** The whole ledger (or a range of it) in ledger order, page by page: memory stays bounded. */
  async *readAll(options: ReadLedgerOptions = {}): AsyncGenerator<LedgerEvent> {
    for await (const entry of this.readEntries(options)) yield this.fromEntry(entry);
  }

  /** The stored entries (the hashed bytes) in ledger order, page by page. */
  async *readEntries(options: ReadLedgerOptions = {}): AsyncGenerator<StoredEntry> {
    const pageSize = options.pageSize ?? DEFAULT_PAGE;
    const through = options.through ?? Number.MAX_SAFE_INTEGER;
    let after = options.after ?? 0;
    while (after < through) {
      const page = await this.readEntryPage(after, Math.min(pageSize, through - after));
      if (page.length === 0) return;
      yield* page;
      after = page[page.length - 1]!.position;
    }
  }

  /**
   * Follows the ledger from `after` until `signal` aborts: every stamped event exactly once, in order.
   * Only stamped events are seen, so an append that commits late is read when it is stamped, never skipped.
   */
  async *follow(options: FollowOptions): AsyncGenerator<LedgerEvent> {
    const pageSize = options.pageSize ?? DEFAULT_PAGE;
    let after = options.after ?? 0;
    while (!options.signal.aborted) {
      const page = await this.readEntryPage(after, pageSize);
      for (const entry of page) yield this.fromEntry(entry);
      if (page.length > 0) after = page[page.length - 1]!.position;
      if (page.length < pageSize) await this.signals.nextStamped(options.pollMs ?? 50, options.signal);
    }
  }

  /** The last stamped position and its hash (position 0 and the genesis hash for an empty ledger). */
  async head(): Promise<{ position: number; hash: string }> {
    const { rows } = await this.pool.query<{ position: string; hash: Buffer }>(
      'SELECT position, hash FROM ledger ORDER BY position DESC LIMIT 1',
    );
    const row = rows[0];
    if (!row) return { position: 0, hash: new ChainVerifier(await this.ledgerId()).headHash };
    return { position: Number(row.position), hash: row.hash.toString('hex') };
  }

  async ledgerId(): Promise<string> {
    if (!this.ledgerIdCache) {
      this.ledgerIdCache = await ledgerIdentity(this.pool);
    }
    return this.ledgerIdCache;
  }

  /**
   * Waits until the sequencer has stamped every one of `eventIds`; resolves with the highest position among
   * them. This is how a writer learns the ledger position of what it appended.
   */
  async waitForStamped(eventIds: readonly string[], timeoutMs = 5_000): Promise<number> {
    // An in-process sequencer announces what it stamped, which answers without a query; a sequencer in
    // another process is seen by polling the ledger. While this process's sequencer is stamping, the
    // announcement is awaited before the first poll (the poll is a query per command otherwise).
    const pending = new Set(eventIds.map((id) => id.toLowerCase()));
    let position = 0;
    const unsubscribe = this.signals.onStamped((batch) => {
      batch.eventIds.forEach((id, i) => {
        if (pending.delete(id)) position = Math.max(position, batch.fromPosition + i);
      });
    });
    try {
      const deadline = performance.now() + timeoutMs;
      if (this.signals.stampingHere())
        await this.awaitStamps(pending, Math.min(timeoutMs, LOCAL_STAMP_WAIT_MS));
      for (;;) {
        if (pending.size === 0) return position;
        const { rows } = await this.pool.query<{ stamped: number; position: string | null }>(
          'SELECT count(*)::int AS stamped, max(position) AS position FROM ledger WHERE event_id = ANY($1::uuid[])',
          [eventIds],
        );
        if (rows[0]!.stamped === eventIds.length) return Number(rows[0]!.position ?? 0);
        const left = deadline - performance.now();
        if (left <= 0) throw new StampTimeoutError(eventIds, timeoutMs);
        if (pending.size > 0) await this.signals.nextStamped(Math.min(left, 25));
      }
    } finally {
      unsubscribe();
    }
  }

  /** Waits on stamp announcements until nothing is pending or `withinMs` has passed. */
  private async awaitStamps(pending: ReadonlySet<string>, withinMs: number): Promise<void> {
    const until = performance.now() + withinMs;
    for (let left = withinMs; pending.size > 0 && left > 0; left = until - performance.now()) {
      await this.signals.nextStamped(left);
    }
  }

  /** Recomputes the chain from genesis: dense positions, canonical entries, hashes and links. */
  async verifyChain(options: { pageSize?: number } = {}): Promise<ChainVerification> {
    const verifier = new ChainVerifier(await this.ledgerId());
    for await (const entry of this.readEntries(options)) {
      const fault = verifier.check(entry);
      if (fault) return { ok: false, verifiedThrough: verifier.verifiedThrough, fault };
    }
    return { ok: true, verifiedThrough: verifier.verifiedThrough, headHash: verifier.headHash };
  }

  private async readEntryPage(after: number, limit: number): Promise<StoredEntry[]> {
    const { rows } = await this.pool.query<{ position: string; hash: Buffer; entry: string }>({
      text: 'SELECT position, hash, entry FROM ledger WHERE position > $1 ORDER BY position LIMIT $2',
      values: [after, limit],
    });
    return rows.map((row) => ({
      position: Number(row.position),
      hash: row.hash.toString('hex'),
      entry: row.entry,
    }));
  }

  private fromRow(row: EventRow): RecordedEvent {
    const { schemaVersion, data } = this.upcasters.upcast(row.type, row.schema_version, row.data);
    return {
      eventId: row.event_id,
      streamId: row.stream_id,
      streamVersion: row.stream_version,
      type: row.type,
      schemaVersion,
      data,
      metadata: row.metadata,
      recordedAt: row.recorded_at,
    };
  }

  private fromEntry(stored: StoredEntry): LedgerEvent {
    const { position, prevHash, event } = parseEntry(stored.entry);
    const { schemaVersion, data } = this.upcasters.upcast(event.type, event.schemaVersion, event.data);
    return {
      position,
      hash: stored.hash,
      prevHash,
      eventId: event.eventId,
      streamId: event.streamId,
      streamVersion: event.streamVersion,
      type: event.type,
      schemaVersion,
      data,
      metadata: event.metadata,
      recordedAt: new Date(event.recordedAt),
      links: event.links ?? [],
    };
  }
}

interface EventRow {
  event_id: string;
  stream_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data: JsonObject;
  metadata: EventMetadata;
  recorded_at: Date;
}
