import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createTestDatabase, type TestDatabase } from '@ledger/database/testing';
import { PostgresEventStore, sha256Hex } from '@ledger/event-store';
import { bootApp, TEST_KEYS } from '../support/app.js';
import { anEvent } from '../support/events.js';

const as = (role: keyof typeof TEST_KEYS) => ({ Authorization: `Bearer ${TEST_KEYS[role]}` });

interface EventView {
  position: number;
  eventId: string;
  streamId: string;
  streamVersion: number;
  links: { streamId: string; streamVersion: number }[];
  type: string;
  schemaVersion: number;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  recordedAt: string;
  hash: string;
  prevHash: string;
}

describe('the event history over HTTP', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let all: EventView[];
  const http = () => request(app.getHttpServer());
  const post = (path: string, body: object) => http().post(path).set(as('admin')).send(body).expect(201);

  /** Every page of GET /v1/events for this query string, following `next` until it is null. */
  async function pages(query: string, limit: number): Promise<{ events: EventView[]; pages: number }> {
    const events: EventView[] = [];
    let after = 0;
    for (let count = 1; ; count++) {
      const { body } = await http()
        .get(`/v1/events?${query}&limit=${limit}&after=${after}`)
        .set(as('auditor'))
        .expect(200);
      events.push(...(body.events as EventView[]));
      if (body.next === null) return { events, pages: count };
      expect(body.events).toHaveLength(limit);
      after = body.next as number;
    }
  }

  /**
   * Two firms' business through the command path (orders, approvals, a shipment and its delivery, a
   * cancellation), then a few thousand more events straight into the store, all stamped.
   */
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await bootApp({ url: db.url, dataDir: 'unused: keys are configured' });
    await post('/v1/products', { sku: 'H200', name: 'H200', vendor: 'Nvidia', origin: 'foreign' });
    await post('/v1/firms', { firmId: 'alibaba', name: 'Alibaba', jurisdiction: 'CN' });
    await post('/v1/firms', { firmId: 'bytedance', name: 'ByteDance', jurisdiction: 'CN' });
    await post('/v1/export-licenses', { licenseId: 'L-1', sku: 'H200', vendor: 'Nvidia', destination: 'CN' });
    await post('/v1/approvals', {
      approvalId: 'A-1',
      batchId: 'b-1',
      firmId: 'alibaba',
      sku: 'H200',
      quota: 1000,
    });
    await post('/v1/approvals', {
      approvalId: 'A-2',
      batchId: 'b-1',
      firmId: 'bytedance',
      sku: 'H200',
      quota: 500,
    });
    await post('/v1/supply', { supplyId: 'S-1', sku: 'H200', quantity: 10_000 });
    await post('/v1/orders', { orderId: 'O-1', firmId: 'alibaba', sku: 'H200', quantity: 100 });
    await post('/v1/orders', { orderId: 'O-2', firmId: 'bytedance', sku: 'H200', quantity: 100 });
    await post('/v1/orders', { orderId: 'O-3', firmId: 'alibaba', sku: 'H200', quantity: 50 });
    await post('/v1/shipments', { shipmentId: 'SH-1', orderId: 'O-1', quantity: 10 });
    await post('/v1/shipments/SH-1/deliver', {});
    await post('/v1/orders/O-3/cancel', { reason: 'customer withdrew' });
    await post('/v1/shipments', { shipmentId: 'SH-2', orderId: 'O-2', quantity: 20 });

    const store = app.get(PostgresEventStore);
    const bulk: string[] = [];
    for (let batch = 0; batch < 60; batch++) {
      const events = Array.from({ length: 50 }, (_, i) => anEvent('Bulk', { n: batch * 50 + i }));
      bulk.push(...events.map((event) => event.eventId!));
      await store.append({ streamId: `purchase-BULK-${batch % 7}`, expectedVersion: 'any', events });
    }
    await store.waitForStamped(bulk, 30_000);
    all = (await pages('', 1000)).events;
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  describe('GET /v1/events', () => {
    it('pages through the whole ledger exactly once, in order, each event chained to the one before', async () => {
      const { events, pages: count } = await pages('', 7);
      expect(all).toHaveLength(3014);
      expect(count).toBe(Math.ceil(3014 / 7));
      expect(events.map((e) => e.position)).toEqual(Array.from({ length: 3014 }, (_, i) => i + 1));
      expect(events).toEqual(all);
      expect(new Set(events.map((e) => e.eventId)).size).toBe(3014);
      for (let i = 1; i < events.length; i++) expect(events[i]!.prevHash).toBe(events[i - 1]!.hash);
    });

    it('shows each event with its stream, version, links, type, schema version, data, metadata, time and hashes', async () => {
      const { body } = await http().get('/v1/events?limit=100').set(as('admin')).expect(200);
      expect(body.head).toBe(3014);
      expect(body.next).toBe(100);
      const released = (body.events as EventView[]).find((e) => e.type === 'ShipmentReleased')!;
      expect(released).toEqual({
        position: expect.any(Number),
        eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        streamId: 'shipment-SH-1',
        streamVersion: 1,
        links: [
          { streamId: 'order-O-1', streamVersion: 2 },
          { streamId: 'product-H200', streamVersion: expect.any(Number) },
        ],
        type: 'ShipmentReleased',
        schemaVersion: 1,
        data: expect.objectContaining({
          shipmentId: 'SH-1',
          orderId: 'O-1',
          firmId: 'alibaba',
          quantity: 10,
        }),
        metadata: expect.objectContaining({ actor: 'test-admin', role: 'admin' }),
        recordedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        prevHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      // The hash is the SHA-256 of the stored entry, the bytes the chain is built from.
      const { rows } = await db.pool.query<{ entry: string }>(
        'SELECT entry FROM ledger WHERE position = $1',
        [released.position],
      );
      expect(sha256Hex(rows[0]!.entry)).toBe(released.hash);
    });

    it('filters by type, repeated or as a comma list, and pages the filtered set exactly once', async () => {
      const expected = all.filter((e) =>
        ['OrderPlaced', 'OrderCancelled', 'ShipmentDelivered'].includes(e.type),
      );
      expect(expected.map((e) => e.type).sort()).toEqual([
        'OrderCancelled',
        'OrderPlaced',
        'OrderPlaced',
        'OrderPlaced',
        'ShipmentDelivered',
      ]);
      expect((await pages('type=OrderPlaced,OrderCancelled&type=ShipmentDelivered', 2)).events).toEqual(
        expected,
      );
      expect((await pages('type=ImportsBlocked', 1000)).events).toHaveLength(0);
    });

    it('filters by stream: the events written to it and those linked into it', async () => {
      const order = await pages('streamId=order-O-1', 2);
      expect(order.events.map((e) => [e.type, e.streamId])).toEqual([
        ['OrderPlaced', 'order-O-1'],
        ['ShipmentReleased', 'shipment-SH-1'],
        ['ShipmentDelivered', 'shipment-SH-1'],
      ]);
      const product = await pages('streamId=product-H200', 1000);
      expect(product.events.map((e) => e.type)).toEqual([
        'ProductRegistered',
        'ExportLicenseGranted',
        'ApprovalGranted',
        'ApprovalGranted',
        'SupplyRecorded',
        'ShipmentReleased',
        'ShipmentReleased',
      ]);
      expect((await pages('streamId=purchase-BULK-3', 100)).events).toEqual(
        all.filter((e) => e.streamId === 'purchase-BULK-3'),
      );
    });

    it('filters by firm: every event about it, including its orders’ cancellations and deliveries', async () => {
      const { events } = await pages('firmId=alibaba', 3);
      expect(events.map((e) => e.type)).toEqual([
        'FirmRegistered',
        'ApprovalGranted',
        'OrderPlaced',
        'OrderPlaced',
        'ShipmentReleased',
        'ShipmentDelivered',
        'OrderCancelled',
      ]);
      expect(events.map((e) => e.data['firmId'] ?? e.data['orderId'] ?? e.data['shipmentId'])).toEqual([
        'alibaba',
        'alibaba',
        'alibaba',
        'alibaba',
        'alibaba',
        'O-1',
        'O-3',
      ]);
      const bytedance = await pages('firmId=bytedance', 100);
      expect(bytedance.events.map((e) => e.type)).toEqual([
        'FirmRegistered',
        'ApprovalGranted',
        'OrderPlaced',
        'ShipmentReleased',
      ]);
      expect((await pages('firmId=nobody', 100)).events).toEqual([]);
    });

    it('filters by recorded time: from inclusive, to exclusive, alone, together and with other filters', async () => {
      const times = [...new Set(all.slice(0, 14).map((e) => e.recordedAt))];
      expect(times.length).toBeGreaterThan(5);
      const from = times[3]!;
      const to = times[times.length - 2]!;
      const at = (e: EventView) => Date.parse(e.recordedAt);
      expect((await pages(`from=${from}`, 500)).events).toEqual(all.filter((e) => at(e) >= Date.parse(from)));
      expect((await pages(`to=${to}`, 5)).events).toEqual(all.filter((e) => at(e) < Date.parse(to)));
      const both = all.filter((e) => at(e) >= Date.parse(from) && at(e) < Date.parse(to));
      expect(both.length).toBeGreaterThan(0);
      expect(both.length).toBeLessThan(14);
      expect((await pages(`from=${from}&to=${to}`, 2)).events).toEqual(both);
      // The same instant with an offset names the same moment.
      const shifted = new Date(Date.parse(from)).toISOString().replace('Z', '+00:00');
      expect(
        (await pages(`from=${encodeURIComponent(shifted)}&to=${to}&type=OrderPlaced`, 2)).events,
      ).toEqual(both.filter((e) => e.type === 'OrderPlaced'));
    });

    it('refuses bad query values with a 400 that lists each failing field; no silent clamping', async () => {
      const { body } = await http()
        .get(
          '/v1/events?limit=1001&after=-1&type=OrderPlaced,Nope&streamId=no+such&firmId=Big+Co&from=yesterday',
        )
        .set(as('auditor'))
        .expect(400);
      expect(body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
      expect((body.errors as { field: string }[]).map((e) => e.field).sort()).toEqual([
        'after',
        'firmId',
        'from',
        'limit',
        'streamId',
        'type',
      ]);
      for (const query of [
        'limit=0',
        'limit=abc',
        'limit=1.5',
        'after=x',
        'to=2026-01-01T00:00:00',
        'extra=1',
      ]) {
        const refused = await http().get(`/v1/events?${query}`).set(as('auditor')).expect(400);
        expect(refused.body.code).toBe('VALIDATION_FAILED');
        expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
      const reversed = await http()
        .get('/v1/events?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z')
        .set(as('auditor'))
        .expect(400);
      expect(reversed.body.errors).toEqual([{ field: 'to', messages: ['to must not be before from'] }]);
    });
  });

  describe('GET /v1/events as NDJSON', () => {
    const ndjson = (query: string) =>
      http()
        .get(`/v1/events${query}`)
        .set({ ...as('auditor'), Accept: 'application/x-ndjson' })
        .buffer(true)
        .parse((res, callback) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => callback(null, text));
        });

    it('streams the whole ledger, one event per line, every line parsing to the same event as the pages', async () => {
      const response = await ndjson('').expect(200);
      expect(response.headers['content-type']).toMatch(/^application\/x-ndjson/);
      expect(response.headers['ledger-head']).toBe('3014');
      const text = response.body as string;
      expect(text.endsWith('\n')).toBe(true);
      const lines = text.slice(0, -1).split('\n');
      expect(lines).toHaveLength(3014);
      expect(lines.map((line) => JSON.parse(line) as EventView)).toEqual(all);
    });

    it('applies the same filters, `after`, and `limit` when one is given', async () => {
      const lines = (text: string) =>
        text
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as EventView);
      const filtered = await ndjson('?firmId=alibaba&type=OrderPlaced,OrderCancelled').expect(200);
      expect(lines(filtered.body as string).map((e) => e.type)).toEqual([
        'OrderPlaced',
        'OrderPlaced',
        'OrderCancelled',
      ]);
      const tail = await ndjson('?after=3000&streamId=purchase-BULK-6').expect(200);
      expect(lines(tail.body as string)).toEqual(
        all.filter((e) => e.position > 3000 && e.streamId === 'purchase-BULK-6'),
      );
      const capped = await ndjson('?after=10&limit=25').expect(200);
      expect(lines(capped.body as string)).toEqual(all.slice(10, 35));
      await ndjson('?limit=0').expect(400);
    });
  });

  describe('GET /v1/streams/{streamId}', () => {
    it('lists the stream’s events in version order, linked ones included, each with its position and hashes', async () => {
      const { body } = await http().get('/v1/streams/order-O-1').set(as('auditor')).expect(200);
      expect(body).toMatchObject({ streamId: 'order-O-1', version: 3, next: null });
      const byId = new Map(all.map((e) => [e.eventId, e]));
      expect(body.events).toEqual(
        (body.events as { eventId: string }[]).map((e, i) => ({ version: i + 1, ...byId.get(e.eventId)! })),
      );
      expect((body.events as EventView[]).map((e) => [e.type, e.streamId])).toEqual([
        ['OrderPlaced', 'order-O-1'],
        ['ShipmentReleased', 'shipment-SH-1'],
        ['ShipmentDelivered', 'shipment-SH-1'],
      ]);
    });

    it('pages with fromVersion and limit', async () => {
      const first = await http().get('/v1/streams/purchase-BULK-0?limit=200').set(as('admin')).expect(200);
      expect(first.body.version).toBe(450);
      expect(first.body.next).toBe(201);
      const second = await http()
        .get('/v1/streams/purchase-BULK-0?fromVersion=201&limit=1000')
        .set(as('admin'))
        .expect(200);
      expect(second.body.next).toBeNull();
      const versions = [...first.body.events, ...second.body.events].map(
        (e: { version: number }) => e.version,
      );
      expect(versions).toEqual(Array.from({ length: 450 }, (_, i) => i + 1));
      const beyond = await http()
        .get('/v1/streams/purchase-BULK-0?fromVersion=451')
        .set(as('admin'))
        .expect(200);
      expect(beyond.body).toMatchObject({ version: 450, events: [], next: null });
    });

    it('answers 404 STREAM_NOT_FOUND for an unknown stream and 400 for a malformed id or query', async () => {
      const missing = await http().get('/v1/streams/order-NOPE').set(as('auditor')).expect(404);
      expect(missing.body).toMatchObject({ status: 404, code: 'STREAM_NOT_FOUND' });
      for (const path of ['/v1/streams/order-', '/v1/streams/widget-1', '/v1/streams/firm-Big%20Co']) {
        const refused = await http().get(path).set(as('auditor')).expect(400);
        expect(refused.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'streamId' }] });
      }
      const badQuery = await http().get('/v1/streams/order-O-1?fromVersion=0&limit=5000').set(as('auditor'));
      expect(badQuery.status).toBe(400);
      expect((badQuery.body.errors as { field: string }[]).map((e) => e.field).sort()).toEqual([
        'fromVersion',
        'limit',
      ]);
    });
  });

  describe('who may read the history', () => {
    it.each([
      ['/v1/events', 'GET /v1/events'],
      ['/v1/streams/product-H200', 'GET /v1/streams/{streamId}'],
    ])('%s: auditor and admin 200, service 403, no key or a wrong key 401', async (path) => {
      await http().get(path).set(as('auditor')).expect(200);
      await http().get(path).set(as('admin')).expect(200);
      const refused = await http().get(path).set(as('service')).expect(403);
      expect(refused.body.code).toBe('FORBIDDEN');
      expect((await http().get(path).expect(401)).body.code).toBe('UNAUTHENTICATED');
      await http().get(path).set({ Authorization: 'Bearer nope' }).expect(401);
    });
  });

  it('documents the history routes in OpenAPI with their roles, query parameters and examples', async () => {
    const { body: doc } = await http().get('/docs-json').expect(200);
    interface Parameter {
      name: string;
      example?: unknown;
      schema?: { example?: unknown };
    }
    const events = doc.paths['/v1/events'].get as {
      tags: string[];
      security: unknown;
      parameters: Parameter[];
      responses: Record<string, { content: Record<string, unknown> }>;
    };
    expect(events.tags).toEqual(['history']);
    expect(events.security).toEqual([{ bearer: [] }]);
    expect(events.parameters.map((p) => p.name).sort()).toEqual(
      ['after', 'firmId', 'from', 'limit', 'streamId', 'to', 'type'].sort(),
    );
    expect(events.parameters.filter((p) => (p.example ?? p.schema?.example) === undefined)).toEqual([]);
    expect(Object.keys(events.responses['200']!.content)).toEqual([
      'application/json',
      'application/x-ndjson',
    ]);
    expect(doc.paths['/v1/streams/{streamId}'].get.responses['404']).toBeDefined();
    expect(doc.paths['/v1/events/live'].get.responses['200'].content['text/event-stream']).toBeDefined();
  });
});
