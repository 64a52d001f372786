import type pg from 'pg';
import type { JsonObject } from '../json.js';
import { LedgerSignals } from '../ledger-signals.js';
import type { EventMetadata, StreamLink } from '../types.js';
import { ledgerIdentity } from '../postgres/ledger-identity.js';
import { isUniqueViolation } from '../postgres/pg-errors.js';
import { genesisHash, sealEntry } from './hash-chain.js';
import { connectFor, runForLeadership, type LeaderState, type LeaderStatus } from './leader-loop.js';
import { WakeUp } from './wake-up.js';

export interface SequencerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface SequencerOptions {
  /** Events stamped per transaction (default 1000). */
  batchSize?: number;
  /** Longest wait between polls when idle; an in-process append wakes it sooner (default 20 ms). */
  idleMs?: number;
  /**
   * Shortest time between the starts of two polls while events keep coming (default 2 ms): under load
   * each poll then stamps what a few commits brought, instead of a poll per commit.
   */
  busyIntervalMs?: number;
  /** How often a standby instance tries to become leader (default 1000 ms). */
  standbyMs?: number;
  signals?: LedgerSignals;
  logger?: SequencerLogger;
  /**
   * Fault injection for tests: runs after a batch is written and before it commits. `dropConnection`
   * cuts the sequencer's connection as a crash of its process would.
   */
  beforeCommit?: (batch: {
    fromPosition: number;
    count: number;
    dropConnection: () => void;
  }) => Promise<void>;
}

export type SequencerState = LeaderState;

export interface SequencerStatus extends LeaderStatus {
  /** The last position this instance knows to be stamped. */
  position: number;
  stamped: number;
  /** Batches refused because another sequencer had moved the head (a fenced-out stale leader). */
  fencedOut: number;
}

interface Head {
  position: number;
  hash: string;
  txId: string;
  seq: string;
}

interface PendingRow {
  seq: string;
  tx_text: string;
  event_id: string;
  stream_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data: JsonObject;
  metadata: EventMetadata;
  /** ISO 8601 in UTC with milliseconds, as Date.toISOString() writes it (the column holds milliseconds). */
  recorded_at: string;
  links: StreamLink[] | null;
}

// Only transactions older than every running one are finished: nothing can still commit below the
// snapshot's xmin. Scanning in (tx_id, seq) order behind that horizon visits each committed event once.
// The order must be the xid8 column's, not its text (the text is only for the driver): as text,
// '1000000' sorts before '999999', and a batch crossing such a boundary would move the cursor past
// events it never stamped.
const SELECT_PENDING = `
  SELECT e.seq, e.tx_id::text AS tx_text, e.event_id, e.stream_id, e.stream_version, e.type, e.schema_version,
         e.data, e.metadata, to_char(e.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at,
         (SELECT jsonb_agg(jsonb_build_object('streamId', l.stream_id, 'streamVersion', l.stream_version)
                           ORDER BY l.stream_id)
          FROM event_links l WHERE l.event_id = e.event_id) AS links
  FROM events e
  WHERE (e.tx_id, e.seq) > ($1::xid8, $2::bigint) AND e.tx_id < pg_snapshot_xmin(pg_current_snapshot())
  ORDER BY e.tx_id, e.seq
  LIMIT $3`;

const SELECT_HEAD = `
  SELECT l.position, l.hash, e.tx_id::text AS tx_id, e.seq
  FROM ledger l JOIN events e ON e.event_id = l.event_id
  ORDER BY l.position DESC LIMIT 1`;

// The entries travel as one text, one per line: canonical JSON has no raw line breaks, and a text[] would
// cost an escaping pass over every byte on the way out and an unescaping pass on the way in.
const INSERT_ENTRIES = `
  INSERT INTO ledger (position, event_id, hash, entry)
  SELECT position, event_id, decode(hash, 'hex'), entry
  FROM unnest($1::bigint[], $2::uuid[], $3::text[], string_to_array($4::text, E'\\n'))
       AS batch(position, event_id, hash, entry)`;

/**
 * Stamps committed events with dense ledger positions and extends the hash chain.
 *
 * Correctness does not rest on the election: every batch is inserted on top of the head it read, and the
 * ledger's keys (position, event id) make a stale leader's batch fail instead of doubling or forking.
 */
export class Sequencer {
  private readonly batchSize: number;
  private readonly idleMs: number;
  private readonly busyIntervalMs: number;
  private readonly standbyMs: number;
  private readonly signals: LedgerSignals;
  private readonly logger: SequencerLogger;
  private client: pg.Client | null = null;
  private head: Head | null = null;
  private running: Promise<void> | null = null;
  private stopping = new AbortController();
  private wakeUp = new WakeUp(this.stopping.signal);
  private readonly current: SequencerStatus = {
    state: 'stopped',
    position: 0,
    stamped: 0,
    fencedOut: 0,
    lastError: null,
    heartbeatAt: 0,
  };

  constructor(
    private readonly url: string,
    private readonly options: SequencerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 1000;
    this.idleMs = options.idleMs ?? 20;
    this.busyIntervalMs = options.busyIntervalMs ?? 2;
    this.standbyMs = options.standbyMs ?? 1000;
    this.signals = options.signals ?? new LedgerSignals();
    this.logger = options.logger ?? { log: () => undefined, warn: () => undefined, error: () => undefined };
  }

  status(): SequencerStatus {
    return { ...this.current };
  }

  /** Starts competing for leadership; as leader, stamps until stopped. */
  start(): void {
    if (this.running) return;
    this.stopping = new AbortController();
    this.wakeUp = new WakeUp(this.stopping.signal);
    this.current.state = 'standby';
    this.current.heartbeatAt = Date.now();
    this.running = this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
    this.running = null;
  }

  private async run(): Promise<void> {
    const unsubscribe = this.signals.onAppended(() => this.wakeUp.signal());
    try {
      await runForLeadership(
        this.url,
        {
          name: 'sequencer',
          lead: (client) => {
            this.client = client;
            return this.lead();
          },
          released: () => {
            this.client = null;
            this.head = null;
          },
          sleep: (ms) => this.wakeUp.sleep(ms),
        },
        this.current,
        this.stopping.signal,
        {
          standbyMs: this.standbyMs,
          retryMs: Math.min(this.standbyMs, 250),
          onFailure: 'reconnecting',
          logger: this.logger,
        },
      );
    } finally {
      unsubscribe();
    }
  }

  private async lead(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      this.current.heartbeatAt = Date.now();
      const started = performance.now();
      const stamped = await this.stampBatch();
      if (stamped === 0) await this.wakeUp.sleep(this.idleMs);
      else if (stamped < this.batchSize)
        await this.wakeUp.pause(started + this.busyIntervalMs - performance.now());
    }
  }

  /** Stamps the next batch of committed events. Returns how many it stamped (0 when fenced out). */
  async stampBatch(): Promise<number> {
    const client = this.client;
    if (!client) throw new Error('sequencer is not connected');
    const head = (this.head ??= await this.loadHead(client));
    const { rows } = await client.query<PendingRow>({
      text: SELECT_PENDING,
      values: [head.txId, head.seq, this.batchSize],
    });
    if (rows.length === 0) return 0;

    const positions: number[] = [];
    const eventIds: string[] = [];
    const hashes: string[] = [];
    const entries: string[] = [];
    let prevHash = head.hash;
    for (const [i, row] of rows.entries()) {
      const position = head.position + i + 1;
      const sealed = sealEntry(position, prevHash, {
        eventId: row.event_id,
        streamId: row.stream_id,
        streamVersion: row.stream_version,
        type: row.type,
        schemaVersion: row.schema_version,
        data: row.data,
        metadata: row.metadata,
        recordedAt: row.recorded_at,
        ...(row.links ? { links: row.links } : {}),
      });
      positions.push(position);
      eventIds.push(row.event_id);
      hashes.push(sealed.hash);
      entries.push(sealed.entry);
      prevHash = sealed.hash;
    }

    try {
      await this.writeBatch(client, [positions, eventIds, hashes, entries.join('\n')], {
        fromPosition: positions[0]!,
        count: rows.length,
      });
    } catch (error) {
      if (isUniqueViolation(error, ['ledger_pkey', 'ledger_event_key'])) {
        // Another sequencer stamped on top of the head we read: we were a stale leader. Re-read the head.
        this.current.fencedOut += 1;
        this.head = null;
        this.logger.warn(
          `sequencer: the ledger head moved under us (another sequencer); reloading (${(error as Error).message})`,
        );
        return 0;
      }
      this.head = null;
      throw error;
    }

    const last = rows[rows.length - 1]!;
    this.head = {
      position: positions[positions.length - 1]!,
      hash: prevHash,
      txId: last.tx_text,
      seq: last.seq,
    };
    this.current.position = this.head.position;
    this.current.stamped += rows.length;
    this.signals.stamped({
      fromPosition: positions[0]!,
      toPosition: this.head.position,
      eventIds,
      committedAt: performance.now(),
    });
    return rows.length;
  }

  /**
   * One INSERT statement: atomic on its own, and one round trip, which matters when the sequencer is one
   * connection among many busy writers. Only the fault-injection hook needs the batch held open in a
   * transaction, to be cut before it commits.
   */
  private async writeBatch(
    client: pg.Client,
    columns: unknown[],
    batch: { fromPosition: number; count: number },
  ): Promise<void> {
    const hook = this.options.beforeCommit;
    if (!hook) {
      await client.query(INSERT_ENTRIES, columns);
      return;
    }
    await client.query('BEGIN');
    try {
      await client.query(INSERT_ENTRIES, columns);
      const socket = (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream;
      await hook({ ...batch, dropConnection: () => socket.destroy() });
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /**
   * Connects without competing for leadership, for tests that need to drive batches by hand (two
   * stale leaders racing, say). `stampBatch` then works on this connection.
   */
  async connectUnelected(): Promise<void> {
    this.client = await connectFor(this.url, 'sequencer', this.current);
    this.head = null;
  }

  async disconnectUnelected(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async loadHead(client: pg.Client): Promise<Head> {
    const { rows } = await client.query<{ position: string; hash: Buffer; tx_id: string; seq: string }>(
      SELECT_HEAD,
    );
    const row = rows[0];
    if (row) {
      this.current.position = Number(row.position);
      return {
        position: Number(row.position),
        hash: row.hash.toString('hex'),
        txId: row.tx_id,
        seq: row.seq,
      };
    }
    return { position: 0, hash: genesisHash(await ledgerIdentity(client)), txId: '0', seq: '0' };
  }
}
