import type { LoggerService } from '@nestjs/common';
import request from 'supertest';
import { createTestDatabase, type TestDatabase } from '@ledger/database/testing';
import { bootApp, TEST_KEYS } from '../support/app.js';

const admin = { Authorization: `Bearer ${TEST_KEYS.admin}` };
const product = (sku: string) => ({ sku, name: sku, vendor: 'Nvidia', origin: 'foreign' });

/** Keeps every line the service logs, to check what reaches the logs. */
class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  log = (...args: unknown[]) => this.keep(args);
  error = (...args: unknown[]) => this.keep(args);
  warn = (...args: unknown[]) => this.keep(args);
  debug = (...args: unknown[]) => this.keep(args);
  verbose = (...args: unknown[]) => this.keep(args);
  private keep(args: unknown[]): void {
    this.lines.push(JSON.stringify(args));
  }
}

describe('operating the service', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => db.close());

  it('exposes Prometheus metrics: requests, command outcomes by code, append latency, the ledger position', async () => {
    const app = await bootApp({ url: db.url, dataDir: 'unused' });
    try {
      const http = request(app.getHttpServer());
      await http.post('/v1/products').set(admin).send(product('H200')).expect(201);
      await http.post('/v1/products').set(admin).send(product('H200')).expect(409);
      const scrape = await http.get('/metrics').expect(200);
      expect(scrape.headers['content-type']).toMatch(/^text\/plain/);
      expect(scrape.text).toContain(
        'ledger_command_outcomes_total{command="RegisterProduct",outcome="accepted"} 1',
      );
      expect(scrape.text).toContain(
        'ledger_command_outcomes_total{command="RegisterProduct",outcome="PRODUCT_ALREADY_REGISTERED"} 1',
      );
      expect(scrape.text).toContain(
        'ledger_http_requests_total{method="POST",route="/v1/products",status="201"} 1',
      );
      expect(scrape.text).toMatch(/ledger_append_duration_seconds_count 1\b/);
      expect(scrape.text).toContain('ledger_sequencer_position 1');
    } finally {
      await app.close();
    }
  });

  it('publishes OpenAPI with every command route, bearer auth and an example for every field', async () => {
    const app = await bootApp({ url: db.url, dataDir: 'unused' });
    try {
      const http = request(app.getHttpServer());
      const { body: doc } = await http.get('/docs-json').expect(200);
      const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
        ([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
      );
      expect(routes).toEqual(
        expect.arrayContaining([
          'POST /v1/products',
          'POST /v1/firms',
          'POST /v1/orders',
          'POST /v1/orders/{orderId}/cancel',
          'POST /v1/export-licenses',
          'POST /v1/export-licenses/{licenseId}/revoke',
          'POST /v1/products/{sku}/imports/block',
          'POST /v1/products/{sku}/imports/unblock',
          'PUT /v1/products/{sku}/pairing-ratio',
          'POST /v1/approvals',
          'POST /v1/approvals/{approvalId}/revoke',
          'POST /v1/domestic-purchases',
          'POST /v1/supply',
          'POST /v1/shipments',
          'POST /v1/shipments/{shipmentId}/deliver',
        ]),
      );
      const schemas = doc.components.schemas as Record<
        string,
        { properties?: Record<string, { example?: unknown }> }
      >;
      const dtos = Object.entries(schemas).filter(([n]) => n.endsWith('Dto'));
      expect(dtos.map(([n]) => n)).toEqual(
        expect.arrayContaining(['PlaceOrderDto', 'ReleaseShipmentDto', 'GrantApprovalDto']),
      );
      for (const [name, schema] of dtos) {
        for (const [field, property] of Object.entries(schema.properties ?? {})) {
          expect({ schema: name, field, example: property.example }).toEqual(
            expect.objectContaining({ example: expect.anything() }),
          );
        }
      }
      expect(doc.paths['/v1/shipments'].post.security).toEqual([{ bearer: [] }]);
      const ui = await http.get('/docs/').expect(200);
      expect(ui.text).toContain('swagger-ui');
    } finally {
      await app.close();
    }
  });

  it('limits commands per API key with 429, appending nothing, and leaves probes alone', async () => {
    const app = await bootApp({ url: db.url, dataDir: 'unused' }, { commandsPerMinute: 2 });
    try {
      const http = request(app.getHttpServer());
      await http.post('/v1/products').set(admin).send(product('A1')).expect(201);
      await http.post('/v1/products').set(admin).send(product('A2')).expect(201);
      const limited = await http.post('/v1/products').set(admin).send(product('A3')).expect(429);
      expect(limited.body).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
      expect((await db.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n).toBe(2);
      await http.get('/health').expect(200);
      await http.get('/metrics').expect(200);
    } finally {
      await app.close();
    }
  });

  it('logs each request as structured data with its correlation id, and never a secret', async () => {
    const logger = new CapturingLogger();
    const app = await bootApp({ url: db.url, dataDir: 'unused' }, {}, logger);
    try {
      await request(app.getHttpServer())
        .post('/v1/products')
        .set({ ...admin, 'X-Correlation-Id': 'trace-123' })
        .send(product('H20'))
        .expect(201);
      const requestLine = logger.lines.find((line) => line.includes('POST /v1/products 201'));
      expect(requestLine).toContain('"correlationId":"trace-123"');
      expect(requestLine).toContain('"actor":"test-admin"');
      for (const secret of Object.values(TEST_KEYS)) {
        expect(logger.lines.join('\n')).not.toContain(secret);
      }
    } finally {
      await app.close();
    }
  });
});
