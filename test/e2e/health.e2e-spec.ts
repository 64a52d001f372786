import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createTestDatabase, type TestDatabase } from '@ledger/database/testing';
import { PostgresEventStore, Sequencer } from '@ledger/event-store';
import { bootApp } from '../support/app.js';
import { anEvent } from '../support/events.js';

describe('GET /health', () => {
  let db: TestDatabase;
  let app: INestApplication;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await bootApp({ url: db.url, dataDir: '/nonexistent' });
  });
  afterAll(async () => {
    await app?.close();
    await db.close();
  });

  it('reports the database reachable and the sequencer leading', async () => {
    const sequencer = app.get(Sequencer);
    for (let i = 0; i < 100 && sequencer.status().state !== 'leader'; i++)
      await new Promise((r) => setTimeout(r, 20));
    const response = await request(app.getHttpServer()).get('/health').expect(200);
    expect(response.body).toMatchObject({
      status: 'ok',
      details: { database: { status: 'up', kind: 'server' }, sequencer: { status: 'up', state: 'leader' } },
    });
  });

  it('stamps what is appended through the service’s own store', async () => {
    const store = app.get(PostgresEventStore);
    const event = anEvent();
    await store.append({ streamId: 'health-check', expectedVersion: 'no-stream', events: [event] });
    await expect(store.waitForStamped([event.eventId!])).resolves.toBe(1);
    const response = await request(app.getHttpServer()).get('/health').expect(200);
    expect(response.body.details.sequencer.position).toBe(1);
  });

  it('answers 503 when the sequencer has stopped', async () => {
    await app.get(Sequencer).stop();
    const response = await request(app.getHttpServer()).get('/health').expect(503);
    expect(response.body.details.sequencer).toMatchObject({ status: 'down', state: 'stopped' });
    app.get(Sequencer).start();
  });
});
