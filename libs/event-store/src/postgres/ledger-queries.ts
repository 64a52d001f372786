import type pg from 'pg';
import type { JsonObject } from '../json.js';
import { parseEntry } from '../ledger/hash-chain.js';
import type { EventMetadata, LedgerEvent, StreamLink } from '../types.js';
import { Upcasters } from '../upcasters.js';

/** Which ledger events to read. Every filter given must hold (AND); `types` matches any of its entries. */
export interface LedgerFilter {
  /** Only events after this position (default 0). */
  after?: number;
  /** Only events up to this position (default: the whole ledger). */
  through?: number;
  types?: readonly string[];
  /** Events written to this stream or linked into it. */
  streamId?: string;
  /**
   * Events whose data contains this object (`data @> relatedTo`), and every other event of the streams such
   * events were written to. `{ firmId }` thus also finds an order's cancellation and a shipment's delivery,
   * which name only their order or shipment.
   */
  relatedTo?: JsonObject;
  /** recordedAt >= from. */
  from?: Date;
  /** recordedAt < to. */
  to?: Date;
}

export interface LedgerEventsPage {
  events: LedgerEvent[];
  /** The position to pass as `after` for the next page; null when nothing more matches. */
  next: number | null;
}

/** An event of a stream, in that stream's order; position and hashes are null until it is stamped. */
export interface StreamHistoryEvent {
  /** The event's version in the stream that was read (its own stream or one it is linked into). */
  version: number;
  position: number | null;
  hash: string | null;
  prevHash: string | null;
  eventId: string;
  /** The stream the event was written to, and its version there. */
  streamId: string;
  streamVersion: number;
  links: StreamLink[];
  type: string;
  schemaVersion: number;
  data: JsonObject;
  metadata: EventMetadata;
  recordedAt: Date;
}

export interface StreamHistory {
  /** The stream's current version: 0 when it has no committed event. */
  version: number;
  events: StreamHistoryEvent[];
  /** The `fromVersion` of the next page; null when this page reaches the stream's current version. */
  next: number | null;
}

export interface LedgerQueriesOptions {
  /** The same upcasters as the store's, so these reads show what the store's own reads show. */
  upcasters?: Upcasters;
}

interface EntryRow {
  position: string;
  hash: Buffer;
  entry: string;
}

interface StreamRow {
  version: number;
  position: string | null;
  hash: Buffer | null;
  entry: string | null;
  event_id: string;
  stream_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data: JsonObject | null;
  metadata: EventMetadata | null;
  recorded_at: Date;
  links: StreamLink[] | null;
}

/**
 * Filtered reads of the ledger for auditors: pages in ledger order and a stream's history with its ledger
 * positions. Filters run in SQL on `events` / `event_links` joined to `ledger` by event id, and each page is a
 * keyset read (`position > after ORDER BY position LIMIT n`): an unfiltered page costs the same at any depth.
 * No index serves type, recorded time or data, so a sparse filter walks the ledger (or scans the events) to
 * fill a page, and a firm's page costs in proportion to the firm's events.
 */
export class LedgerQueries {
  private readonly upcasters: Upcasters;

  constructor(
    private readonly pool: pg.Pool,
    options: LedgerQueriesOptions = {},
  ) {
    this.upcasters = options.upcasters ?? new Upcasters();
  }

  /** Up to `limit` matching events after `filter.after`, in ledger order. */
  async readPage(filter: LedgerFilter, limit: number): Promise<LedgerEventsPage> {
    // One row more than asked tells whether another page exists without a second query.
    const rows = await this.readEntryRows(filter, limit + 1);
    const events = rows.slice(0, limit).map((row) => this.fromEntry(row));
    const last = events[events.length - 1];
    return { events, next: rows.length > limit && last ? last.position : null };
  }

  /** Every matching event in ledger order, page by page: memory stays bounded by the page size. */
  async *readAll(filter: LedgerFilter, options: { pageSize?: number } = {}): AsyncGenerator<LedgerEvent> {
    const pageSize = options.pageSize ?? 1000;
    let after = filter.after ?? 0;
    for (;;) {
      const rows = await this.readEntryRows({ ...filter, after }, pageSize);
      for (const row of rows) yield this.fromEntry(row);
      if (rows.length < pageSize) return;
      after = Number(rows[rows.length - 1]!.position);
    }
  }

  /** The last stamped position (0 for an empty ledger). */
  async headPosition(): Promise<number> {
    const { rows } = await this.pool.query<{ position: string | null }>(
      'SELECT max(position) AS position FROM ledger',
    );
    return Number(rows[0]?.position ?? 0);
  }

  /**
   * The stream's committed events in version order from `fromVersion`, its own and those linked into it,
   * each with its ledger position and hashes once the sequencer has stamped it.
   */
  async readStream(
    streamId: string,
    options: { fromVersion?: number; limit?: number } = {},
  ): Promise<StreamHistory> {
    const fromVersion = options.fromVersion ?? 1;
    const limit = options.limit ?? 100;
    const { rows: versionRows } = await this.pool.query<{ version: number }>(
      `SELECT greatest((SELECT max(stream_version) FROM events WHERE stream_id = $1),
                       (SELECT max(stream_version) FROM event_links WHERE stream_id = $1), 0) AS version`,
      [streamId],
    );
    const version = versionRows[0]?.version ?? 0;
    if (version === 0 || fromVersion > version) return { version, events: [], next: null };
    // A stamped event is read from its ledger entry (the hashed bytes); an unstamped one from its row.
    const { rows } = await this.pool.query<StreamRow>({
      text: `SELECT member.stream_version AS version, l.position, l.hash, l.entry,
                    e.event_id, e.stream_id, e.stream_version, e.type, e.schema_version, e.recorded_at,
                    CASE WHEN l.entry IS NULL THEN e.data END AS data,
                    CASE WHEN l.entry IS NULL THEN e.metadata END AS metadata,
                    CASE WHEN l.entry IS NULL THEN
                      (SELECT jsonb_agg(jsonb_build_object('streamId', k.stream_id, 'streamVersion', k.stream_version)
                                        ORDER BY k.stream_id)
                       FROM event_links k WHERE k.event_id = e.event_id)
                    END AS links
             FROM (SELECT event_id, stream_version FROM events
                   WHERE stream_id = $1 AND stream_version >= $2 AND stream_version < $2 + $3
                   UNION ALL
                   SELECT event_id, stream_version FROM event_links
                   WHERE stream_id = $1 AND stream_version >= $2 AND stream_version < $2 + $3) AS member
             JOIN events e ON e.event_id = member.event_id
             LEFT JOIN ledger l ON l.event_id = e.event_id
             ORDER BY member.stream_version`,
      values: [streamId, fromVersion, limit],
    });
    const events = rows.map((row) => this.fromStreamRow(row));
    const last = events[events.length - 1];
    return { version, events, next: last && last.version < version ? last.version + 1 : null };
  }

  private async readEntryRows(filter: LedgerFilter, limit: number): Promise<EntryRow[]> {
    const plan = filter.streamId === undefined ? {} : { streamScan: await this.streamScan(filter.streamId) };
    const { text, values } = pageQuery(filter, limit, plan);
    const { rows } = await this.pool.query<EntryRow>({ text, values });
    return rows;
  }

  /**
   * A small stream is read through its members (two index ranges, then the ledger by event id); a stream
   * that holds a good share of the ledger (a product's) is cheaper to find along the ledger itself, where a
   * page stops after `limit` matches instead of sorting every member on every page.
   */
  private async streamScan(streamId: string): Promise<StreamScan> {
    const { rows } = await this.pool.query<{ members: number; head: string | null }>(
      `SELECT greatest((SELECT max(stream_version) FROM events WHERE stream_id = $1),
                       (SELECT max(stream_version) FROM event_links WHERE stream_id = $1), 0) AS members,
              (SELECT max(position) FROM ledger) AS head`,
      [streamId],
    );
    const { members, head } = rows[0]!;
    return members * LEDGER_SCAN_SHARE >= Number(head ?? 0) ? 'ledger' : 'members';
  }

  private fromEntry(row: EntryRow): LedgerEvent {
    const { position, prevHash, event } = parseEntry(row.entry);
    const { schemaVersion, data } = this.upcasters.upcast(event.type, event.schemaVersion, event.data);
    return {
      position,
      hash: row.hash.toString('hex'),
      prevHash,
      eventId: event.eventId,
      streamId: event.streamId,
      streamVersion: event.streamVersion,
      links: event.links ?? [],
      type: event.type,
      schemaVersion,
      data,
      metadata: event.metadata,
      recordedAt: new Date(event.recordedAt),
    };
  }

  private fromStreamRow(row: StreamRow): StreamHistoryEvent {
    if (row.entry !== null && row.hash !== null) {
      const stamped = this.fromEntry({ position: row.position ?? '0', hash: row.hash, entry: row.entry });
      return { version: row.version, ...stamped };
    }
    const { schemaVersion, data } = this.upcasters.upcast(row.type, row.schema_version, row.data ?? {});
    return {
      version: row.version,
      position: null,
      hash: null,
      prevHash: null,
      eventId: row.event_id,
      streamId: row.stream_id,
      streamVersion: row.stream_version,
      links: row.links ?? [],
      type: row.type,
      schemaVersion,
      data,
      metadata: row.metadata!,
      recordedAt: row.recorded_at,
    };
  }
}

/** How a stream filter finds its events: from the stream's members, or along the ledger. */
type StreamScan = 'members' | 'ledger';

/** Along the ledger once the stream holds at least 1 in this many of its events. */
const LEDGER_SCAN_SHARE = 20;

/** Exported for the EXPLAIN checks in the integration spec. */
export function pageQuery(
  filter: LedgerFilter,
  limit: number,
  plan: { streamScan?: StreamScan } = {},
): { text: string; values: unknown[] } {
  const values: unknown[] = [filter.after ?? 0];
  const param = (value: unknown): string => {
    values.push(value);
    return `$${values.length}`;
  };
  const where = ['l.position > $1'];
  let joinEvents = false;
  if (filter.through !== undefined) where.push(`l.position <= ${param(filter.through)}`);
  if (filter.types !== undefined) {
    joinEvents = true;
    where.push(`e.type = ANY(${param(filter.types)}::text[])`);
  }
  if (filter.from !== undefined) {
    joinEvents = true;
    where.push(`e.recorded_at >= ${param(filter.from)}`);
  }
  if (filter.to !== undefined) {
    joinEvents = true;
    where.push(`e.recorded_at < ${param(filter.to)}`);
  }
  if (filter.streamId !== undefined && plan.streamScan === 'ledger') {
    joinEvents = true;
    const stream = param(filter.streamId);
    where.push(`(e.stream_id = ${stream}
                 OR EXISTS (SELECT 1 FROM event_links k WHERE k.event_id = l.event_id AND k.stream_id = ${stream}))`);
  } else if (filter.streamId !== undefined) {
    const stream = param(filter.streamId);
    where.push(`l.event_id IN (SELECT event_id FROM events WHERE stream_id = ${stream}
                               UNION ALL
                               SELECT event_id FROM event_links WHERE stream_id = ${stream})`);
  }
  let prelude = '';
  if (filter.relatedTo !== undefined) {
    // The streams the matching events were written to, found once (MATERIALIZED: the data scan is the
    // expensive part), then every member of those streams, own or linked, through the stream indexes.
    prelude = `WITH related AS MATERIALIZED (
                 SELECT DISTINCT stream_id FROM events WHERE data @> ${param(JSON.stringify(filter.relatedTo))}::jsonb)
               `;
    where.push(`l.event_id IN (SELECT event_id FROM events WHERE stream_id IN (SELECT stream_id FROM related)
                               UNION ALL
                               SELECT event_id FROM event_links WHERE stream_id IN (SELECT stream_id FROM related))`);
  }
  const from = joinEvents ? 'ledger l JOIN events e ON e.event_id = l.event_id' : 'ledger l';
  return {
    text: `${prelude}SELECT l.position, l.hash, l.entry FROM ${from}
           WHERE ${where.join(' AND ')}
           ORDER BY l.position LIMIT ${param(limit)}`,
    values,
  };
}
