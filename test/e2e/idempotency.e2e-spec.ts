import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createTestDatabase, type TestDatabase } from '@ledger/database/testing';
import { bootApp, TEST_KEYS } from '../support/app.js';

describe('Idempotency-Key on commands', () => {
  let db: TestDatabase;
  let app: INestApplication;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await bootApp({ url: db.url, dataDir: 'unused: keys are configured' });
  });
  afterAll(async () => {
    await app?.close();
    await db.close();
  });

  const admin = { Authorization: `Bearer ${TEST_KEYS.admin}` };
  const registerFirm = (key: string, body: object, using = app) =>
    request(using.getHttpServer())
      .post('/v1/firms')
      .set({ ...admin, 'Idempotency-Key': key })
      .send(body);
  const eventCount = async () =>
    (await db.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n as number;
  const firm = (firmId: string) => ({ firmId, name: firmId, jurisdiction: 'CN' });

  it('answers the same key and body with the first answer again, appending once', async () => {
    const first = await registerFirm('k-1', firm('alibaba')).expect(201);
    const before = await eventCount();
    const again = await registerFirm('k-1', firm('alibaba')).expect(201);
    expect(again.body).toEqual(first.body);
    expect(await eventCount()).toBe(before);
  });

  it('refuses the same key with another body with 409, appending nothing', async () => {
    await registerFirm('k-2', firm('tencent')).expect(201);
    const before = await eventCount();
    const reused = await registerFirm('k-2', firm('baidu')).expect(409);
    expect(reused.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await eventCount()).toBe(before);
  });

  it('replays a refusal too, even after the state that caused it changed', async () => {
    const order = { orderId: 'O-1', firmId: 'kuaishou', sku: 'H200', quantity: 5 };
    const send = () =>
      request(app.getHttpServer())
        .post('/v1/orders')
        .set({ ...admin, 'Idempotency-Key': 'k-3' })
        .send(order);
    const refused = await send().expect(404);
    expect(refused.body.code).toBe('FIRM_NOT_FOUND');
    await registerFirm('k-4', firm('kuaishou')).expect(201);
    const replayed = await send().expect(404);
    expect(replayed.body).toEqual(refused.body);
  });

  it('appends once when the same request races with itself', async () => {
    const before = await eventCount();
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => registerFirm('k-5', firm('deepseek'))),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(201));
    for (const response of responses) expect(response.body).toEqual(responses[0]!.body);
    expect(await eventCount()).toBe(before + 1);
  });

  it('remembers keys across a restart', async () => {
    const first = await registerFirm('k-6', firm('minimax')).expect(201);
    await app.close();
    app = await bootApp({ url: db.url, dataDir: 'unused: keys are configured' });
    const before = await eventCount();
    const again = await registerFirm('k-6', firm('minimax')).expect(201);
    expect(again.body).toEqual(first.body);
    expect(await eventCount()).toBe(before);
  });

  it('refuses a malformed key', async () => {
    const response = await registerFirm('has spaces in it', firm('zhipu')).expect(400);
    expect(response.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'Idempotency-Key' }],
    });
  });
});
