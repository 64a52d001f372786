import http from 'node:http';
import { jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { createTestDatabase, type TestDatabase } from '@ledger/database/testing';
import { LedgerQueries, PostgresEventStore, type LedgerFilter } from '@ledger/event-store';
import { bootApp, TEST_KEYS } from '../support/app.js';
import { anEvent } from '../support/events.js';
import { sleep, until } from '../support/wait.js';

/** Resolves once `read()` has stopped changing for `quietMs`. */
async function settled(read: () => number, quietMs = 600): Promise<number> {
  let last = read();
  for (let still = 0; still < quietMs; still += 100) {
    await sleep(100);
    if (read() !== last) {
      last = read();
      still = -100;
    }
  }
  return last;
}

describe('the NDJSON export and a client that stops reading', () => {
  const EVENTS = 1000;
  let db: TestDatabase;
  let app: INestApplication;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await bootApp({ url: db.url, dataDir: 'unused: keys are configured' });
    await app.listen(0, '127.0.0.1');
    // 20 kB per event: 20 MB in all, far more than the socket buffers between server and client hold.
    const store = app.get(PostgresEventStore);
    const ids: string[] = [];
    for (let batch = 0; batch < EVENTS / 100; batch++) {
      const events = Array.from({ length: 100 }, (_, i) =>
        anEvent('SupplyRecorded', { supplyId: `S-${batch}-${i}`, sku: 'H200', note: 'x'.repeat(20_000) }),
      );
      ids.push(...events.map((event) => event.eventId!));
      await store.append({ streamId: `supply-BIG-${batch}`, expectedVersion: 'any', events });
    }
    await store.waitForStamped(ids, 60_000);
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('reads no further than the client takes, and stops reading when the client goes away', async () => {
    // Count what the export reads from the ledger, passing every event through unchanged.
    const queries = app.get(LedgerQueries);
    const readAll = queries.readAll.bind(queries);
    let read = 0;
    let stopped = false;
    jest.spyOn(queries, 'readAll').mockImplementation(async function* (filter: LedgerFilter) {
      try {
        for await (const event of readAll(filter)) {
          read++;
          yield event;
        }
      } finally {
        stopped = true;
      }
    });

    const { port } = new URL(await app.getUrl());
    const request = http.get({
      host: '127.0.0.1',
      port,
      path: '/v1/events',
      headers: { Authorization: `Bearer ${TEST_KEYS.auditor}`, Accept: 'application/x-ndjson' },
    });
    const response = await new Promise<http.IncomingMessage>((resolve) => request.on('response', resolve));
    expect(response.statusCode).toBe(200);
    response.pause();

    // The client reads nothing: the export fills the socket buffers and then waits for 'drain'.
    const whilePaused = await settled(() => read);
    expect(whilePaused).toBeGreaterThan(0);
    expect(whilePaused).toBeLessThan(EVENTS / 2);
    expect(stopped).toBe(false);

    request.destroy();
    await until(() => stopped, { what: 'the export to stop reading' });
    const afterwards = read;
    await sleep(300);
    expect(read).toBe(afterwards);
    expect(read).toBeLessThan(EVENTS);
  });
});
