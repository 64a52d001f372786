import type { MigrationInterface, QueryRunner } from 'typeorm';
import { LEDGER_APPEND_FUNCTION, LEDGER_STREAM_INDEX_FUNCTION } from './1764430000000-event-store.js';

/**
 * Appends in groups: `ledger_append_batch` applies several independent appends in one transaction (one
 * commit for all of them), each with its own expected versions. An append whose expected version does not
 * hold is refused on its own and written not at all; the others in the group go ahead. This lets the store
 * combine the appends of concurrent callers (group commit) instead of paying a commit per append.
 *
 * The function replaces `ledger_append` (one append per call, parameters as JSON). Its parameters are typed
 * arrays, and it runs few distinct statements: PL/pgSQL prepares every expression afresh in each
 * transaction, so that count, not the loops, is what a call costs.
 *
 * Parameters, 1-based and parallel:
 * - `p_locks`, `p_lock_write`: every stream of the group once, in the order to lock them (the caller sorts,
 *   so that all writers lock in one order and never deadlock), exclusively where any append writes it.
 * - `s_*`: per (append, stream), in append order: the append's number (1..n), the stream (its index in
 *   `p_locks`), the expected version (-1 any, -2 stream exists, 0 no stream, else the exact version).
 * - `e_*`: per event, in append order: its append, id, stream (index in `p_locks`), type, schema version;
 *   `e_body` is one JSON array of `[data, metadata]` pairs.
 * - `l_*`: per link, in event order: the event it links (index into `e_*`) and the stream it is linked
 *   into (index in `p_locks`).
 *
 * Results: the version given to each event and each link (0 where its append was refused), the version of
 * each (append, stream) after its append, and `refused`: null, or one object per refused append.
 */
export class CombinedAppends1764470000000 implements MigrationInterface {
  name = 'CombinedAppends1764470000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION ledger_append(jsonb, jsonb)`);
    await db.query(`DROP FUNCTION ledger_stream_index(text[], text)`);
    await db.query(`
      CREATE FUNCTION ledger_append_batch(
        p_locks text[], p_lock_write boolean[],
        s_append integer[], s_lock integer[], s_expected integer[],
        e_append integer[], e_id uuid[], e_lock integer[], e_type text[], e_schema integer[], e_body jsonb,
        l_event integer[], l_lock integer[],
        OUT event_versions integer[], OUT link_versions integer[], OUT stream_versions integer[],
        OUT refused jsonb)
      LANGUAGE plpgsql AS $$
      DECLARE
        n_locks integer := cardinality(p_locks);
        n_streams integer := cardinality(s_lock);
        n_events integer := cardinality(e_id);
        n_links integer := cardinality(l_lock);
        cur integer[];
        txs xid8[];
        v integer;
        t xid8;
        my_tx xid8;
        a integer;
        k integer;
        i integer;
        ks integer := 1;
        ke integer := 1;
        kl integer := 1;
        first integer;
        accepted boolean;
      BEGIN
        FOR k IN 1 .. n_locks LOOP
          IF p_lock_write[k] THEN
            PERFORM pg_advisory_xact_lock(hashtextextended('stream:' || p_locks[k], 0));
          ELSE
            PERFORM pg_advisory_xact_lock_shared(hashtextextended('stream:' || p_locks[k], 0));
          END IF;
        END LOOP;
        my_tx := pg_current_xact_id();
        -- A stream's version counts its own events and its links.
        FOR k IN 1 .. n_locks LOOP
          v := NULL; t := NULL;
          SELECT x.version, x.tx INTO v, t FROM (
            (SELECT ev.stream_version AS version, ev.tx_id AS tx FROM events ev WHERE ev.stream_id = p_locks[k]
             ORDER BY ev.stream_version DESC LIMIT 1)
            UNION ALL
            (SELECT l.stream_version, l.tx_id FROM event_links l WHERE l.stream_id = p_locks[k]
             ORDER BY l.stream_version DESC LIMIT 1)) AS x
          ORDER BY x.version DESC LIMIT 1;
          cur[k] := coalesce(v, 0);
          txs[k] := t;
        END LOOP;

        event_versions := array_fill(0, ARRAY[n_events]);
        link_versions := array_fill(0, ARRAY[n_links]);
        stream_versions := array_fill(0, ARRAY[n_streams]);
        -- The s_, e_ and l_ entries of an append are contiguous and in append order (links in event
        -- order): one pass with a cursor into each, so a group costs what its entries cost.
        FOR a IN 1 .. coalesce(e_append[n_events], 0) LOOP
          accepted := true;
          first := ks;
          WHILE ks <= n_streams AND s_append[ks] = a LOOP
            i := s_lock[ks];
            IF NOT accepted THEN
              NULL;
            ELSIF (s_expected[ks] >= 0 AND cur[i] <> s_expected[ks]) OR (s_expected[ks] = -2 AND cur[i] = 0) THEN
              refused := coalesce(refused, '[]') || jsonb_build_object(
                'append', a, 'code', 'SL409', 'streamId', p_locks[i], 'actual', cur[i]);
              accepted := false;
            -- A younger transaction already extended the stream (possible only when the caller's own
            -- transaction took its id earlier): appending would break the stream's order in the ledger.
            ELSIF txs[i] > my_tx THEN
              refused := coalesce(refused, '[]') || jsonb_build_object(
                'append', a, 'code', 'SL412', 'streamId', p_locks[i]);
              accepted := false;
            END IF;
            ks := ks + 1;
          END LOOP;
          -- Versions in the order of the append: each event in its own stream, then in its links.
          WHILE ke <= n_events AND e_append[ke] = a LOOP
            IF accepted THEN
              i := e_lock[ke];
              cur[i] := cur[i] + 1;
              event_versions[ke] := cur[i];
            END IF;
            WHILE kl <= n_links AND l_event[kl] = ke LOOP
              IF accepted THEN
                i := l_lock[kl];
                cur[i] := cur[i] + 1;
                link_versions[kl] := cur[i];
              END IF;
              kl := kl + 1;
            END LOOP;
            ke := ke + 1;
          END LOOP;
          IF accepted THEN
            FOR k IN first .. ks - 1 LOOP
              stream_versions[k] := cur[s_lock[k]];
            END LOOP;
          END IF;
        END LOOP;

        INSERT INTO events (event_id, stream_id, stream_version, type, schema_version, data, metadata)
        SELECT x.id, p_locks[x.lock], x.version, x.type, x.schema, e_body->(x.ord::integer - 1)->0,
               e_body->(x.ord::integer - 1)->1
        FROM unnest(e_id, e_lock, event_versions, e_type, e_schema) WITH ORDINALITY
             AS x(id, lock, version, type, schema, ord)
        WHERE x.version > 0 ORDER BY x.ord;
        IF n_links > 0 THEN
          INSERT INTO event_links (stream_id, stream_version, event_id)
          SELECT p_locks[x.lock], x.version, e_id[x.event]
          FROM unnest(l_lock, link_versions, l_event) WITH ORDINALITY AS x(lock, version, event, ord)
          WHERE x.version > 0 ORDER BY x.ord;
        END IF;
      END $$`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(
      `DROP FUNCTION ledger_append_batch(text[], boolean[], integer[], integer[], integer[], integer[], uuid[],
                                         integer[], text[], integer[], jsonb, integer[], integer[])`,
    );
    await db.query(LEDGER_APPEND_FUNCTION);
    await db.query(LEDGER_STREAM_INDEX_FUNCTION);
  }
}
