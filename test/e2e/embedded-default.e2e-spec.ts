import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { Database, EmbeddedDatabaseLockedError } from '@ledger/database';
import { PostgresEventStore } from '@ledger/event-store';
import { bootApp } from '../support/app.js';
import { anEvent } from '../support/events.js';

describe('the service without DATABASE_URL (the embedded default)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-embedded-e2e-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('creates and migrates a database in the data directory, stamps, keeps data across restarts, and locks it', async () => {
    let app: INestApplication = await bootApp({ dataDir });
    const event = anEvent('Kept', { n: 1 });
    try {
      await request(app.getHttpServer())
        .get('/health')
        .expect(200)
        .expect((res) => expect(res.body.details.database).toMatchObject({ status: 'up', kind: 'embedded' }));
      const store = app.get(PostgresEventStore);
      await store.append({ streamId: 'kept', expectedVersion: 'no-stream', events: [event] });
      await store.waitForStamped([event.eventId!]);

      // A second opener of the same directory is refused instead of silently losing writes.
      await expect(Database.open({ dataDir })).rejects.toBeInstanceOf(EmbeddedDatabaseLockedError);
    } finally {
      await app.close();
    }

    app = await bootApp({ dataDir });
    try {
      const store = app.get(PostgresEventStore);
      expect((await store.readStream('kept')).map((e) => e.eventId)).toEqual([event.eventId]);
      await expect(store.verifyChain()).resolves.toMatchObject({ ok: true, verifiedThrough: 1 });
    } finally {
      await app.close();
    }
  });
});
