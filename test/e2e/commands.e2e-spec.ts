import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createTestDatabase, type TestDatabase } from '@ledger/database/testing';
import { PostgresEventStore } from '@ledger/event-store';
import { bootApp, TEST_KEYS } from '../support/app.js';

type Method = 'post' | 'put';

/** PRODUCT.md's command table: every route, with a body that passes validation. */
const COMMAND_ROUTES: [Method, string, object][] = [
  ['post', '/v1/products', { sku: 'H200', name: 'H200', vendor: 'Nvidia', origin: 'foreign' }],
  ['post', '/v1/firms', { firmId: 'bytedance', name: 'ByteDance', jurisdiction: 'CN' }],
  ['post', '/v1/orders', { orderId: 'O-1', firmId: 'bytedance', sku: 'H200', quantity: 10 }],
  ['post', '/v1/orders/O-1/cancel', { reason: 'changed plans' }],
  ['post', '/v1/export-licenses', { licenseId: 'L-1', sku: 'H200', vendor: 'Nvidia', destination: 'CN' }],
  ['post', '/v1/export-licenses/L-1/revoke', { reason: 'policy' }],
  ['post', '/v1/products/H200/imports/block', { reason: 'customs' }],
  ['post', '/v1/products/H200/imports/unblock', { reason: 'cleared' }],
  ['put', '/v1/products/H200/pairing-ratio', { domesticPerUnit: 0.5 }],
  [
    'post',
    '/v1/approvals',
    { approvalId: 'A-1', batchId: 'b-1', firmId: 'bytedance', sku: 'H200', quota: 5 },
  ],
  ['post', '/v1/approvals/A-1/revoke', { reason: 'policy' }],
  [
    'post',
    '/v1/domestic-purchases',
    { purchaseId: 'P-1', firmId: 'bytedance', sku: 'ASCEND-910C', quantity: 5 },
  ],
  ['post', '/v1/supply', { supplyId: 'S-1', sku: 'H200', quantity: 100 }],
  ['post', '/v1/shipments', { shipmentId: 'SH-1', orderId: 'O-1', quantity: 1 }],
  ['post', '/v1/shipments/SH-1/deliver', {}],
];

describe('the admin command API', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await bootApp({ url: db.url, dataDir: 'unused: keys are configured' });
    store = app.get(PostgresEventStore);
  });
  afterAll(async () => {
    await app?.close();
    await db.close();
  });

  const as = (role: keyof typeof TEST_KEYS) => ({ Authorization: `Bearer ${TEST_KEYS[role]}` });
  const send = (method: Method, path: string, body: object, headers: Record<string, string> = as('admin')) =>
    request(app.getHttpServer())[method](path).set(headers).send(body);
  const eventCount = async () =>
    (await db.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n as number;

  describe('who may call each command route', () => {
    it.each(COMMAND_ROUTES)(
      '%s %s: 401 without a key, 403 for service and auditor',
      async (method, path, body) => {
        const before = await eventCount();
        const anonymous = await send(method, path, body, {});
        expect(anonymous.status).toBe(401);
        expect(anonymous.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
        expect(anonymous.headers['content-type']).toMatch(/^application\/problem\+json/);
        await send(method, path, body, { Authorization: 'Bearer not-a-key' }).expect(401);
        for (const role of ['service', 'auditor'] as const) {
          const refused = await send(method, path, body, as(role));
          expect(refused.status).toBe(403);
          expect(refused.body).toMatchObject({ code: 'FORBIDDEN', allowedRoles: ['admin'] });
        }
        expect(await eventCount()).toBe(before);
      },
    );
  });

  describe('an admin working through the story', () => {
    it('answers 201 with the real ledger position and the appended event', async () => {
      const response = await send('post', '/v1/products', {
        sku: 'H200',
        name: 'H200',
        vendor: 'Nvidia',
        origin: 'foreign',
      }).expect(201);
      const [entry] = await store.readLedgerPage(response.body.position - 1, 1);
      expect(response.body).toEqual({
        position: entry!.position,
        events: [
          { eventId: entry!.eventId, type: 'ProductRegistered', streamId: 'product-H200', version: 1 },
        ],
      });
    });

    it('records who asked and why in the event’s metadata', async () => {
      const response = await send(
        'post',
        '/v1/products',
        { sku: 'ASCEND-910C', name: 'Ascend 910C', vendor: 'Huawei', origin: 'domestic' },
        { ...as('admin'), 'X-Correlation-Id': 'story-42', 'X-Causation-Id': 'ticket-7' },
      ).expect(201);
      expect(response.headers['x-correlation-id']).toBe('story-42');
      const [entry] = await store.readLedgerPage(response.body.position - 1, 1);
      expect(entry!.metadata).toMatchObject({
        actor: 'test-admin',
        role: 'admin',
        correlationId: 'story-42',
        causationId: 'ticket-7',
      });
      expect(entry!.metadata.commandId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('refuses a reused id with 409 and its code, appending nothing', async () => {
      const before = await eventCount();
      const response = await send('post', '/v1/products', {
        sku: 'H200',
        name: 'again',
        vendor: 'Nvidia',
        origin: 'foreign',
      }).expect(409);
      expect(response.body).toMatchObject({ status: 409, code: 'PRODUCT_ALREADY_REGISTERED' });
      expect(await eventCount()).toBe(before);
    });

    it('refuses an unknown firm with 404 and a rule with 422, by code', async () => {
      await send('post', '/v1/orders', { orderId: 'O-1', firmId: 'nobody', sku: 'H200', quantity: 10 })
        .expect(404)
        .expect((res) => expect(res.body.code).toBe('FIRM_NOT_FOUND'));
      await send('post', '/v1/firms', { firmId: 'bytedance', name: 'ByteDance', jurisdiction: 'CN' }).expect(
        201,
      );
      await send('post', '/v1/orders', {
        orderId: 'O-1',
        firmId: 'bytedance',
        sku: 'ASCEND-910C',
        quantity: 10,
      })
        .expect(422)
        .expect((res) => expect(res.body.code).toBe('ORIGIN_MISMATCH'));
      await send('post', '/v1/orders', {
        orderId: 'O-1',
        firmId: 'bytedance',
        sku: 'H200',
        quantity: 10,
      }).expect(201);
      await send('post', '/v1/products/H200/imports/block', { reason: 'customs' }).expect(201);
      const release = await send('post', '/v1/shipments', {
        shipmentId: 'SH-1',
        orderId: 'O-1',
        quantity: 5,
      });
      expect(release.status).toBe(422);
      expect(release.body).toMatchObject({ status: 422, code: 'IMPORTS_BLOCKED', instance: '/v1/shipments' });
    });
  });

  describe('validation', () => {
    it('lists every failing field, refuses unknown ones, and appends nothing', async () => {
      const before = await eventCount();
      const response = await send('post', '/v1/orders', {
        orderId: 'has spaces',
        firmId: 'ByteDance',
        sku: 'h200',
        quantity: 0,
        note: 'unexpected',
      }).expect(400);
      expect(response.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
      const fields = (response.body.errors as { field: string }[]).map((e) => e.field).sort();
      expect(fields).toEqual(['firmId', 'note', 'orderId', 'quantity', 'sku']);
      expect(await eventCount()).toBe(before);
    });

    it.each([
      [{ orderId: 'O-9', firmId: 'bytedance', sku: 'H200', quantity: 100_000_001 }, 'quantity'],
      [{ orderId: 'O-9', firmId: 'bytedance', sku: 'H200', quantity: 1.5 }, 'quantity'],
      [{ orderId: 'O-9', firmId: 'bytedance', sku: 'H200', quantity: '10' }, 'quantity'],
      [{ orderId: 'x'.repeat(65), firmId: 'bytedance', sku: 'H200', quantity: 1 }, 'orderId'],
      [{ firmId: 'bytedance', sku: 'H200', quantity: 1 }, 'orderId'],
    ])('refuses %j naming %s', async (body, field) => {
      const response = await send('post', '/v1/orders', body).expect(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field })]);
    });

    it('checks path parameters too', async () => {
      const response = await send('post', '/v1/products/not a sku/imports/block', { reason: 'x' }).expect(
        400,
      );
      expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'sku' }] });
    });

    it('refuses a body on deliver, which takes none', async () => {
      await send('post', '/v1/shipments/SH-1/deliver', { extra: true }).expect(400);
    });
  });
});
