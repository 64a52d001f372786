import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createTestDatabase, type TestDatabase } from '@ledger/database/testing';
import { bootApp, TEST_KEYS } from '../support/app.js';

const admin = { Authorization: `Bearer ${TEST_KEYS.admin}` };

describe('100 simultaneous ReleaseShipment requests', () => {
  let db: TestDatabase;
  let app: INestApplication;

  beforeEach(async () => {
    db = await createTestDatabase();
    app = await bootApp({ url: db.url, dataDir: 'unused: keys are configured' });
  });
  afterEach(async () => {
    await app.close();
    await db.close();
  });

  const post = (path: string, body: object) =>
    request(app.getHttpServer()).post(path).set(admin).send(body).expect(201);

  async function market(limits: { quota: number; supply: number; ordered: number }): Promise<void> {
    await post('/v1/products', { sku: 'H200', name: 'H200', vendor: 'Nvidia', origin: 'foreign' });
    await post('/v1/firms', { firmId: 'alibaba', name: 'Alibaba', jurisdiction: 'CN' });
    await post('/v1/export-licenses', { licenseId: 'L-1', sku: 'H200', vendor: 'Nvidia', destination: 'CN' });
    await post('/v1/approvals', {
      approvalId: 'A-1',
      batchId: 'b-1',
      firmId: 'alibaba',
      sku: 'H200',
      quota: limits.quota,
    });
    await post('/v1/supply', { supplyId: 'S-1', sku: 'H200', quantity: limits.supply });
    await post('/v1/orders', { orderId: 'O-1', firmId: 'alibaba', sku: 'H200', quantity: limits.ordered });
  }

  it.each([
    ['the quota', { quota: 500, supply: 100_000, ordered: 100_000 }, 'QUOTA_EXCEEDED'],
    ['the order', { quota: 100_000, supply: 100_000, ordered: 500 }, 'QUANTITY_EXCEEDS_BACKLOG'],
    ['the supply', { quota: 100_000, supply: 500, ordered: 100_000 }, 'INSUFFICIENT_SUPPLY'],
  ])('that together exceed %s succeed exactly as far as it allows', async (_limit, limits, code) => {
    await market(limits);
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        request(app.getHttpServer())
          .post('/v1/shipments')
          .set(admin)
          .send({ shipmentId: `SH-${i}`, orderId: 'O-1', quantity: 10 }),
      ),
    );
    const accepted = responses.filter((r) => r.status === 201);
    const refused = responses.filter((r) => r.status !== 201);
    expect(accepted).toHaveLength(50);
    expect(refused.map((r) => [r.status, r.body.code])).toEqual(Array(50).fill([422, code]));
    // Every accepted answer names its own ledger position.
    expect(new Set(accepted.map((r) => r.body.position)).size).toBe(50);

    const { rows } = await db.pool.query<{ shipped: string; count: string }>(
      "SELECT coalesce(sum((data->>'quantity')::int), 0) AS shipped, count(*) AS count FROM events WHERE type = 'ShipmentReleased'",
    );
    expect(rows[0]).toEqual({ shipped: '500', count: '50' });
  });
});
