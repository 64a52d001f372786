import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event log and the ledger.
 *
 * `events` holds every committed event, numbered only within its stream. Writers take no global number:
 * `tx_id` (the writing transaction) and `seq` order them for the sequencer, which stamps committed events
 * into `ledger` with dense positions 1..N and the hash chain. Both tables are append-only.
 */
export class EventStore1764430000000 implements MigrationInterface {
  name = 'EventStore1764430000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE ledger_meta (
        singleton boolean NOT NULL DEFAULT true,
        ledger_id uuid NOT NULL DEFAULT gen_random_uuid(),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ledger_meta_pkey PRIMARY KEY (singleton),
        CONSTRAINT ledger_meta_singleton_check CHECK (singleton)
      )`);
    // The identity row is made on first use, not here, so that a database cloned from a migrated
    // template (as the tests do) still becomes a ledger of its own.

    await db.query(`
      CREATE TABLE events (
        seq bigint GENERATED ALWAYS AS IDENTITY,
        tx_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        event_id uuid NOT NULL,
        stream_id text NOT NULL,
        stream_version integer NOT NULL,
        type text NOT NULL,
        schema_version integer NOT NULL,
        data jsonb NOT NULL,
        metadata jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', statement_timestamp()),
        CONSTRAINT events_pkey PRIMARY KEY (event_id),
        CONSTRAINT events_stream_version_key UNIQUE (stream_id, stream_version),
        CONSTRAINT events_stream_version_check CHECK (stream_version > 0),
        CONSTRAINT events_schema_version_check CHECK (schema_version > 0)
      )`);
    // Serves the sequencer's scan of committed, unstamped events in (transaction, insertion) order.
    await db.query(`CREATE INDEX events_sequencing_idx ON events (tx_id, seq)`);

    // An event can belong to more streams than the one it was written to (a shipment is part of its product's
    // and its order's history). Each further membership is a link with its own version in that stream.
    await db.query(`
      CREATE TABLE event_links (
        stream_id text NOT NULL,
        stream_version integer NOT NULL,
        event_id uuid NOT NULL,
        tx_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        CONSTRAINT event_links_pkey PRIMARY KEY (stream_id, stream_version),
        CONSTRAINT event_links_event_stream_key UNIQUE (event_id, stream_id),
        CONSTRAINT event_links_event_fkey FOREIGN KEY (event_id) REFERENCES events (event_id),
        CONSTRAINT event_links_stream_version_check CHECK (stream_version > 0)
      )`);

    await db.query(`
      CREATE TABLE ledger (
        position bigint NOT NULL,
        event_id uuid NOT NULL,
        hash bytea NOT NULL,
        entry text NOT NULL,
        CONSTRAINT ledger_pkey PRIMARY KEY (position),
        CONSTRAINT ledger_event_key UNIQUE (event_id),
        CONSTRAINT ledger_position_check CHECK (position > 0),
        CONSTRAINT ledger_hash_check CHECK (octet_length(hash) = 32)
      )`);

    await db.query(`
      CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'SL403';
      END $$`);
    for (const table of ['events', 'event_links', 'ledger', 'ledger_meta']) {
      await db.query(`
        CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()`);
      await db.query(`
        CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()`);
      // ALWAYS: a session in replica mode (session_replication_role) must not slip past them either.
      await db.query(`ALTER TABLE ${table} ENABLE ALWAYS TRIGGER ${table}_append_only`);
      await db.query(`ALTER TABLE ${table} ENABLE ALWAYS TRIGGER ${table}_no_truncate`);
    }

    await db.query(LEDGER_APPEND_FUNCTION);
    await db.query(LEDGER_STREAM_INDEX_FUNCTION);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION ledger_append(jsonb, jsonb)`);
    await db.query(`DROP FUNCTION ledger_stream_index(text[], text)`);
    await db.query(`DROP TABLE ledger`);
    await db.query(`DROP TABLE event_links`);
    await db.query(`DROP TABLE events`);
    await db.query(`DROP TABLE ledger_meta`);
    await db.query(`DROP FUNCTION ledger_refuse_change()`);
  }
}

// One round trip per append. Streams are locked in a fixed order (no deadlocks); a written stream
// exclusively, a stream that is only checked in shared mode, so its version holds until commit.
// A stream's version counts its own events and its links; the unique keys stay the last line of defence.
// `assigned` lists the version given to each (event, stream) pair: per event, its stream then its links.
// Replaced by ledger_append_batch (CombinedAppends1764470000000), whose revert restores it.
export const LEDGER_APPEND_FUNCTION = `
      CREATE FUNCTION ledger_append(p_streams jsonb, p_events jsonb,
                                    OUT assigned integer[], OUT stream_versions integer[])
      LANGUAGE plpgsql AS $$
      DECLARE
        s jsonb;
        e jsonb;
        link text;
        stream_ids text[] := '{}';
        versions integer[] := '{}';
        current_version integer;
        current_tx xid8;
        link_version integer;
        link_tx xid8;
        expected jsonb;
        my_tx xid8;
        i integer;
      BEGIN
        FOR s IN SELECT value FROM jsonb_array_elements(p_streams) ORDER BY value->>'streamId' COLLATE "C" LOOP
          IF (s->>'write')::boolean THEN
            PERFORM pg_advisory_xact_lock(hashtextextended('stream:' || (s->>'streamId'), 0));
          ELSE
            PERFORM pg_advisory_xact_lock_shared(hashtextextended('stream:' || (s->>'streamId'), 0));
          END IF;
        END LOOP;
        my_tx := pg_current_xact_id();
        assigned := '{}';

        FOR s IN SELECT value FROM jsonb_array_elements(p_streams) LOOP
          current_version := NULL;
          current_tx := NULL;
          link_version := NULL;
          link_tx := NULL;
          SELECT ev.stream_version, ev.tx_id INTO current_version, current_tx
            FROM events ev WHERE ev.stream_id = s->>'streamId'
            ORDER BY ev.stream_version DESC LIMIT 1;
          SELECT l.stream_version, l.tx_id INTO link_version, link_tx
            FROM event_links l WHERE l.stream_id = s->>'streamId'
            ORDER BY l.stream_version DESC LIMIT 1;
          IF coalesce(link_version, 0) > coalesce(current_version, 0) THEN
            current_version := link_version;
            current_tx := link_tx;
          END IF;
          current_version := coalesce(current_version, 0);
          expected := s->'expected';
          IF (expected = '"no-stream"' AND current_version <> 0)
             OR (expected = '"stream-exists"' AND current_version = 0)
             OR (jsonb_typeof(expected) = 'number' AND current_version <> (expected #>> '{}')::integer) THEN
            RAISE EXCEPTION 'wrong expected version for stream %', s->>'streamId'
              USING ERRCODE = 'SL409',
                    DETAIL = jsonb_build_object('streamId', s->>'streamId', 'expected', expected,
                                                'actual', current_version)::text;
          END IF;
          IF current_tx IS NOT NULL AND current_tx > my_tx THEN
            RAISE EXCEPTION 'stream % was extended by a younger transaction', s->>'streamId'
              USING ERRCODE = 'SL412', DETAIL = jsonb_build_object('streamId', s->>'streamId')::text;
          END IF;
          stream_ids := stream_ids || (s->>'streamId');
          versions := versions || current_version;
        END LOOP;

        FOR e IN SELECT value FROM jsonb_array_elements(p_events) LOOP
          i := ledger_stream_index(stream_ids, e->>'streamId');
          versions[i] := versions[i] + 1;
          INSERT INTO events (event_id, stream_id, stream_version, type, schema_version, data, metadata)
          VALUES ((e->>'eventId')::uuid, e->>'streamId', versions[i], e->>'type',
                  (e->>'schemaVersion')::integer, e->'data', e->'metadata');
          assigned := assigned || versions[i];
          FOR link IN SELECT value FROM jsonb_array_elements_text(e->'links') LOOP
            i := ledger_stream_index(stream_ids, link);
            versions[i] := versions[i] + 1;
            INSERT INTO event_links (stream_id, stream_version, event_id)
            VALUES (link, versions[i], (e->>'eventId')::uuid);
            assigned := assigned || versions[i];
          END LOOP;
        END LOOP;
        stream_versions := versions;
      END $$`;

export const LEDGER_STREAM_INDEX_FUNCTION = `
      CREATE FUNCTION ledger_stream_index(p_stream_ids text[], p_stream_id text) RETURNS integer
      LANGUAGE plpgsql IMMUTABLE AS $$
      DECLARE
        i integer := array_position(p_stream_ids, p_stream_id);
      BEGIN
        IF i IS NULL THEN
          RAISE EXCEPTION 'event names stream %, which the append does not declare', p_stream_id
            USING ERRCODE = 'SL400';
        END IF;
        RETURN i;
      END $$`;
