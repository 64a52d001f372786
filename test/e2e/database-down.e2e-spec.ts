import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createTestDatabase, type TestDatabase } from '@ledger/database/testing';
import { bootApp, TEST_KEYS } from '../support/app.js';
import { TcpProxy } from '../support/tcp-proxy.js';

describe('when the database goes away', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let app: INestApplication;

  beforeAll(async () => {
    db = await createTestDatabase();
    const target = new URL(db.url);
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    const port = await proxy.start();
    target.port = String(port);
    app = await bootApp({ url: target.toString(), dataDir: 'unused: keys are configured' });
  });
  afterAll(async () => {
    await app.close();
    await proxy.cut();
    await db.close();
  });

  const registerFirm = (firmId: string) =>
    request(app.getHttpServer())
      .post('/v1/firms')
      .set({ Authorization: `Bearer ${TEST_KEYS.admin}` })
      .send({ firmId, name: firmId, jurisdiction: 'CN' });

  it('answers commands with 503 DATABASE_UNAVAILABLE and health with 503, then recovers', async () => {
    await registerFirm('before').expect(201);

    await proxy.cut();
    const refused = await registerFirm('during').expect(503);
    expect(refused.body).toMatchObject({ status: 503, code: 'DATABASE_UNAVAILABLE' });
    const health = await request(app.getHttpServer()).get('/health').expect(503);
    expect(health.body.details.database.status).toBe('down');

    await proxy.start();
    await registerFirm('after').expect(201);
    const firms = await db.pool.query(
      "SELECT stream_id FROM events WHERE type = 'FirmRegistered' ORDER BY seq",
    );
    expect(firms.rows.map((r) => r.stream_id)).toEqual(['firm-before', 'firm-after']);
  });
});
