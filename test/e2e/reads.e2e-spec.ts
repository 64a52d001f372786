import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { CommandExecutor, runSeed } from '@ledger/commands';
import { createTestDatabase, type TestDatabase } from '@ledger/database/testing';
import { bootApp, TEST_KEYS } from '../support/app.js';

const as = (role: keyof typeof TEST_KEYS) => ({ Authorization: `Bearer ${TEST_KEYS[role]}` });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the read models over HTTP', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  let seedPosition: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await bootApp({ url: db.url, dataDir: 'unused' });
    http = request(app.getHttpServer());
    const report = await runSeed(app.get(CommandExecutor));
    seedPosition = report.position;
    expect(report.halted).toBeNull();
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  const post = (path: string, body: object) => http.post(path).set(as('admin')).send(body);

  it('shows the seed scenario’s story in the backlog: > 2,000,000 ordered, > 400,000 approved, the rest waiting', async () => {
    const response = await http.get(`/v1/backlog?minPosition=${seedPosition}`).set(as('service')).expect(200);
    expect(response.body.position).toBeGreaterThanOrEqual(seedPosition);
    const h200 = response.body.items.find((row: { sku: string }) => row.sku === 'H200');
    expect(h200.ordered).toBe(2_050_000);
    expect(h200.approvedQuota).toBe(420_000);
    expect(h200.awaitingApproval).toBe(600_000);
    expect(h200.firmsApproved).toEqual(['alibaba', 'bytedance', 'tencent']);
    expect(h200.firmsWaiting).toEqual(['baidu', 'deepseek', 'kuaishou']);
    expect(response.body.total.sku).toBe('*');
    expect(response.body.total.ordered).toBe(
      response.body.items.reduce((sum: number, row: { ordered: number }) => sum + row.ordered, 0),
    );
    const filtered: request.Response = await http.get('/v1/backlog?sku=H20').set(as('auditor')).expect(200);
    expect(filtered.body.items.map((row: { sku: string }) => row.sku)).toEqual(['H20']);
    expect(filtered.body.total).toEqual(response.body.total);
  });

  it('filters and pages allocations and orders, every row once, in key order', async () => {
    const all = await http.get(`/v1/allocations?minPosition=${seedPosition}`).set(as('service')).expect(200);
    expect(all.body.items.length).toBeGreaterThanOrEqual(6);
    const keys: string[] = all.body.items.map(
      (row: { firmId: string; sku: string }) => `${row.firmId}/${row.sku}`,
    );
    expect([...keys].sort()).toEqual(keys);

    const paged: string[] = [];
    let after: string | null = null;
    do {
      const page: request.Response = await http
        .get(`/v1/allocations?limit=2${after ? `&after=${after}` : ''}`)
        .set(as('service'))
        .expect(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      paged.push(
        ...page.body.items.map((row: { firmId: string; sku: string }) => `${row.firmId}/${row.sku}`),
      );
      after = page.body.next;
    } while (after);
    expect(paged).toEqual(keys);

    const bytedance = await http
      .get('/v1/allocations?firmId=bytedance&sku=H200')
      .set(as('admin'))
      .expect(200);
    expect(bytedance.body.items).toHaveLength(1);
    expect(bytedance.body.items[0]).toMatchObject({ firmId: 'bytedance', sku: 'H200', ordered: 600_000 });

    const open = await http.get('/v1/orders?status=open').set(as('service')).expect(200);
    expect(open.body.items.length).toBeGreaterThan(0);
    expect(open.body.items.every((order: { status: string }) => order.status === 'open')).toBe(true);
    const first = open.body.items[0];
    const one = await http.get(`/v1/orders/${first.orderId}`).set(as('service')).expect(200);
    expect(one.body.item).toEqual(first);
    const byFirm = await http.get(`/v1/orders?firmId=${first.firmId}`).set(as('service')).expect(200);
    expect(byFirm.body.items.every((order: { firmId: string }) => order.firmId === first.firmId)).toBe(true);

    const batches = await http.get('/v1/approval-batches').set(as('service')).expect(200);
    const batch = batches.body.items[0];
    const oneBatch = await http.get(`/v1/approval-batches/${batch.batchId}`).set(as('service')).expect(200);
    expect(oneBatch.body.item).toEqual(batch);
  });

  it('answers a write’s position with that write visible (read-your-writes), under concurrent writers', async () => {
    await post('/v1/firms', { firmId: 'ryw', name: 'RYW', jurisdiction: 'CN' }).expect(201);
    const writes = Array.from({ length: 24 }, (_, i) => async () => {
      const placed = await post('/v1/orders', {
        orderId: `ryw-${i}`,
        firmId: 'ryw',
        sku: 'H200',
        quantity: 10 + i,
      });
      expect(placed.status).toBe(201);
      const read = await http
        .get(`/v1/orders/ryw-${i}?minPosition=${placed.body.position}`)
        .set(as('service'))
        .expect(200);
      expect(read.body.position).toBeGreaterThanOrEqual(placed.body.position);
      expect(read.body.item).toMatchObject({ orderId: `ryw-${i}`, quantity: 10 + i, status: 'open' });
    });
    await Promise.all(writes.map((write) => write()));
  });

  it('answers atPosition and asOf exactly as the live read model showed that state', async () => {
    await post('/v1/firms', { firmId: 'asof', name: 'AsOf', jurisdiction: 'CN' }).expect(201);
    const seen: { position: number; time: string; items: unknown[] }[] = [];
    for (let i = 0; i < 5; i++) {
      const placed = await post('/v1/orders', {
        orderId: `asof-${i}`,
        firmId: 'asof',
        sku: 'H200',
        quantity: 1000,
      });
      const live = await http
        .get(`/v1/allocations?firmId=asof&minPosition=${placed.body.position}`)
        .set(as('service'))
        .expect(200);
      expect(live.body.position).toBe(placed.body.position);
      await sleep(15);
      seen.push({ position: live.body.position, time: new Date().toISOString(), items: live.body.items });
      await sleep(15);
    }
    for (const { position, time, items } of seen) {
      const at = await http
        .get(`/v1/allocations?firmId=asof&atPosition=${position}`)
        .set(as('auditor'))
        .expect(200);
      expect(at.body).toEqual({ position, items, next: null });
      const asOf = await http.get(`/v1/allocations?firmId=asof&asOf=${time}`).set(as('auditor')).expect(200);
      expect(asOf.body).toEqual({ position, items, next: null });
    }
    const before = await http.get(`/v1/orders/asof-4?atPosition=${seen[3]!.position}`).set(as('service'));
    expect(before.status).toBe(404);
    expect(before.body.code).toBe('ORDER_NOT_FOUND');
  });

  it('reports the projector in /health and each read model’s position and lag in /metrics', async () => {
    await http.get(`/v1/orders?minPosition=${seedPosition}`).set(as('service')).expect(200);
    const health = await http.get('/health').expect(200);
    expect(health.body.info.projector).toMatchObject({ status: 'up', state: 'leader' });
    expect(health.body.info.projector.positions.orders).toBeGreaterThanOrEqual(seedPosition);
    const scrape = await http.get('/metrics').expect(200);
    for (const name of ['allocations', 'backlog', 'approval-batches', 'orders']) {
      expect(scrape.text).toMatch(new RegExp(`ledger_projection_position\\{projection="${name}"\\} \\d+`));
      expect(scrape.text).toMatch(new RegExp(`ledger_projection_lag_events\\{projection="${name}"\\} \\d+`));
    }
  });

  it('refuses bad reads with problem details, and waits only so long for a position', async () => {
    const cases: [string, number, string][] = [
      ['/v1/orders?status=lost', 400, 'VALIDATION_FAILED'],
      ['/v1/allocations?limit=0', 400, 'VALIDATION_FAILED'],
      ['/v1/allocations?firmId=NotASlug', 400, 'VALIDATION_FAILED'],
      ['/v1/allocations?after=bm90LWEtY3Vyc29y', 400, 'VALIDATION_FAILED'],
      ['/v1/allocations?atPosition=1&asOf=2026-01-01T00:00:00Z', 400, 'VALIDATION_FAILED'],
      ['/v1/allocations?asOf=2026-01-01T00:00:00', 400, 'VALIDATION_FAILED'],
      ['/v1/allocations?unknown=1', 400, 'VALIDATION_FAILED'],
      ['/v1/allocations?atPosition=99999999', 409, 'POSITION_BEYOND_LEDGER'],
      ['/v1/orders/no-such-order', 404, 'ORDER_NOT_FOUND'],
      ['/v1/approval-batches/no-such-batch', 404, 'BATCH_NOT_FOUND'],
    ];
    for (const [path, status, code] of cases) {
      const response = await http.get(path).set(as('service'));
      expect({ path, status: response.status, code: response.body.code }).toEqual({ path, status, code });
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    const started = Date.now();
    const waited = await http.get('/v1/orders?minPosition=99999999').set(as('service')).expect(503);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_500);
    expect(waited.body).toMatchObject({ code: 'POSITION_NOT_REACHED', requestedPosition: 99999999 });
    expect(waited.body.position).toBeGreaterThanOrEqual(seedPosition);
  });

  it('lets service, auditor and admin read; operations are for admin and auditor; no key is a 401', async () => {
    for (const path of ['/v1/allocations', '/v1/backlog', '/v1/approval-batches', '/v1/orders']) {
      for (const role of ['service', 'auditor', 'admin'] as const)
        await http.get(path).set(as(role)).expect(200);
      await http.get(path).expect(401);
    }
    await http.get('/v1/projections').set(as('service')).expect(403);
    await http.post('/v1/projections/orders/rebuild').set(as('service')).expect(403);
    await http.get('/v1/projections').set(as('auditor')).expect(200);
    // PRODUCT.md: auditors rebuild projections.
    await http.post('/v1/projections/approval-batches/rebuild').set(as('auditor')).expect(202);
  });

  it('documents every read route, its query parameters and its problems in the OpenAPI document', async () => {
    const { paths } = (await http.get('/docs-json').expect(200)).body;
    for (const path of ['/v1/allocations', '/v1/backlog', '/v1/approval-batches', '/v1/orders']) {
      const parameters = paths[path].get.parameters.map((p: { name: string }) => p.name);
      expect(parameters).toEqual(
        expect.arrayContaining(['minPosition', 'atPosition', 'asOf', 'limit', 'after']),
      );
      expect(Object.keys(paths[path].get.responses)).toEqual(
        expect.arrayContaining(['200', '400', '401', '403', '409', '503']),
      );
    }
    expect(paths['/v1/orders/{orderId}'].get).toBeDefined();
    expect(paths['/v1/approval-batches/{batchId}'].get).toBeDefined();
    expect(paths['/v1/projections/{name}/rebuild'].post.responses['202']).toBeDefined();
  });

  it('rebuilds a read model on request, reports progress, and proves the rebuilt rows equal the live ones', async () => {
    const before = await http.get('/v1/allocations?limit=1000').set(as('service')).expect(200);
    const accepted = await http.post('/v1/projections/allocations/rebuild').set(as('admin')).expect(202);
    expect(accepted.body).toMatchObject({ name: 'allocations', state: 'rebuilding' });
    const again = await http.post('/v1/projections/allocations/rebuild').set(as('admin'));
    if (again.status !== 202) expect(again.body.code).toBe('REBUILD_IN_PROGRESS');
    await http.post('/v1/projections/nothing/rebuild').set(as('admin')).expect(404);

    let allocations:
      { state: string; lastRebuild: Record<string, unknown> | null; generation: number } | undefined;
    for (let i = 0; i < 200; i++) {
      const list = await http.get('/v1/projections').set(as('admin')).expect(200);
      expect(list.body.projections.map((p: { name: string }) => p.name).sort()).toEqual([
        'allocations',
        'approval-batches',
        'backlog',
        'orders',
      ]);
      allocations = list.body.projections.find((p: { name: string }) => p.name === 'allocations');
      if (allocations?.state === 'live' && allocations.lastRebuild) break;
      await sleep(50);
    }
    expect(allocations?.generation).toBeGreaterThan(1);
    expect(allocations?.lastRebuild).toMatchObject({ matches: true, tableMatchesFold: true });
    expect(allocations?.lastRebuild?.checksum).toBe(allocations?.lastRebuild?.liveChecksum);
    const after = await http.get('/v1/allocations?limit=1000').set(as('service')).expect(200);
    expect(after.body.items).toEqual(before.body.items);
  });
});
