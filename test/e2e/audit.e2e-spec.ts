import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import {
  Checkpointer,
  keyIdOf,
  merkleRoot,
  verifyCheckpointSignature,
  type PublicKeyRecord,
  type SignedCheckpoint,
} from '@ledger/audit';
import { createTestDatabase, type TestDatabase } from '@ledger/database/testing';
import type { AuditConfig } from '../../apps/ledger-api/src/config/config.js';
import { bootApp, TEST_KEYS } from '../support/app.js';

const as = (role: keyof typeof TEST_KEYS) => ({ Authorization: `Bearer ${TEST_KEYS[role]}` });
const sizes = (page: { checkpoints: SignedCheckpoint[] }) => page.checkpoints.map((c) => c.size);
const ON_DEMAND: AuditConfig = { checkpointIntervalMs: 0, fullVerifyIntervalMs: 3_600_000, signingKey: null };

describe('signed checkpoints over HTTP', () => {
  let db: TestDatabase;
  let dataDir: string;
  let app: INestApplication;

  beforeEach(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'ledger-audit-e2e-'));
  });
  afterEach(async () => {
    await app?.close();
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function boot(audit: Partial<AuditConfig> = {}) {
    app = await bootApp({ url: db.url, dataDir }, { audit: { ...ON_DEMAND, ...audit } });
    return request(app.getHttpServer());
  }

  async function registerFirms(http: ReturnType<typeof request>, from: number, count: number) {
    for (let i = from; i < from + count; i++) {
      await http
        .post('/v1/firms')
        .set(as('admin'))
        .send({ firmId: `firm${i}`, name: `Firm ${i}`, jurisdiction: 'CN' })
        .expect(201);
    }
  }

  async function storedEntries(): Promise<string[]> {
    const { rows } = await db.pool.query<{ entry: string }>('SELECT entry FROM ledger ORDER BY position');
    return rows.map((row) => row.entry);
  }

  async function tamperEntry(position: number, from: string, to: string): Promise<void> {
    await db.superuser.query('ALTER TABLE ledger DISABLE TRIGGER ALL');
    await db.superuser.query('UPDATE ledger SET entry = replace(entry, $1, $2) WHERE position = $3', [
      from,
      to,
      position,
    ]);
    await db.superuser.query('ALTER TABLE ledger ENABLE TRIGGER ALL');
  }

  it('signs on demand a checkpoint that verifies with the published key and the entries’ own root', async () => {
    const http = await boot();
    await http
      .get('/v1/audit/checkpoints/latest')
      .set(as('auditor'))
      .expect(404, /NO_CHECKPOINT/);
    await registerFirms(http, 1, 5);

    const signed = await http.post('/v1/audit/checkpoints').set(as('admin')).expect(201);
    expect(signed.headers['audit-notice']).toMatch(/Keep copies of these checkpoints outside this service/);
    const checkpoint = signed.body as SignedCheckpoint;
    expect(checkpoint).toMatchObject({ size: 5, merkleRoot: merkleRoot(await storedEntries()) });

    const { body: keys } = await http.get('/v1/audit/keys').set(as('auditor')).expect(200);
    expect(keys.currentKeyId).toBe(checkpoint.keyId);
    expect(keys.keys).toEqual([expect.objectContaining({ keyId: checkpoint.keyId, retiredAt: null })]);
    expect(verifyCheckpointSignature(checkpoint, keys.keys[0].publicKeyPem)).toBe(true);

    // The private key is in the data directory, readable by its owner only; never in the database.
    expect(statSync(join(dataDir, 'signing-keys.json')).mode & 0o777).toBe(0o600);
    const { rows } = await db.pool.query(
      "SELECT count(*)::int AS n FROM audit_keys WHERE public_key_pem LIKE '%PRIVATE%'",
    );
    expect(rows[0].n).toBe(0);

    await http.get('/v1/audit/checkpoints/latest').set(as('auditor')).expect(200, checkpoint);
    // Not grown: the same checkpoint again, 200.
    await http.post('/v1/audit/checkpoints').set(as('admin')).expect(200, checkpoint);
    const { body: report } = await http.get('/v1/audit/verify').set(as('auditor')).expect(200);
    expect(report).toMatchObject({
      ok: true,
      size: 5,
      checkpointsVerified: 1,
      merkleRoot: checkpoint.merkleRoot,
    });
  });

  it('signs by itself, every interval, only when the ledger grew; stops on shutdown', async () => {
    const http = await boot({ checkpointIntervalMs: 100 });
    await registerFirms(http, 1, 2);
    const latestSize = async () => {
      const response = await http.get('/v1/audit/checkpoints/latest').set(as('auditor'));
      return response.status === 200 ? (response.body as SignedCheckpoint).size : 0;
    };
    for (let i = 0; i < 100 && (await latestSize()) < 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await latestSize()).toBe(2);
    const signedSoFar = async () =>
      sizes((await http.get('/v1/audit/checkpoints').set(as('auditor')).expect(200)).body);
    const before = await signedSoFar();
    await new Promise((r) => setTimeout(r, 400));
    expect(await signedSoFar()).toEqual(before); // the ledger did not grow: nothing more signed

    const checkpointer = app.get(Checkpointer);
    await app.close();
    expect(checkpointer.status().state).toBe('stopped');
  });

  it('pages checkpoints newest first, or oldest first after a size', async () => {
    const http = await boot();
    for (let round = 0; round < 3; round++) {
      await registerFirms(http, round * 2, 2);
      await http.post('/v1/audit/checkpoints').set(as('admin')).expect(201);
    }
    const newest = await http.get('/v1/audit/checkpoints?limit=2').set(as('auditor')).expect(200);
    expect(newest.headers['audit-notice']).toBeDefined();
    expect(sizes(newest.body)).toEqual([6, 4]);
    expect(newest.body.next).toBe('/v1/audit/checkpoints?before=4&limit=2');
    expect(newest.body.notice).toMatch(/outside this service/);
    const older = await http.get(newest.body.next).set(as('auditor')).expect(200);
    expect(older.body).toMatchObject({ checkpoints: [{ size: 2 }], next: null });
    const oldest = await http.get('/v1/audit/checkpoints?after=2').set(as('auditor')).expect(200);
    expect(sizes(oldest.body)).toEqual([4, 6]);
    await http
      .get('/v1/audit/checkpoints?after=x')
      .set(as('auditor'))
      .expect(400, /VALIDATION_FAILED/);
  });

  it('rotates the key: checkpoints signed before still verify with the retired key', async () => {
    const http = await boot();
    await registerFirms(http, 1, 3);
    const before = (await http.post('/v1/audit/checkpoints').set(as('admin')).expect(201)).body;

    const rotation = (await http.post('/v1/audit/keys/rotate').set(as('admin')).expect(201)).body;
    expect(rotation.retired).toEqual([expect.objectContaining({ keyId: before.keyId })]);
    await registerFirms(http, 4, 2);
    const after = (await http.post('/v1/audit/checkpoints').set(as('admin')).expect(201)).body;
    expect(after.keyId).toBe(rotation.current.keyId);

    const { body: keys } = await http.get('/v1/audit/keys').set(as('auditor')).expect(200);
    expect(keys.currentKeyId).toBe(rotation.current.keyId);
    const old = (keys.keys as PublicKeyRecord[]).find((k) => k.keyId === before.keyId)!;
    expect(Date.parse(old.retiredAt!)).toBeGreaterThanOrEqual(Date.parse(before.time));
    expect(verifyCheckpointSignature(before, old.publicKeyPem)).toBe(true);
    await http
      .get('/v1/audit/verify')
      .set(as('auditor'))
      .expect(200)
      .expect((res) => expect(res.body).toMatchObject({ ok: true, size: 5, checkpointsVerified: 2 }));
  });

  it('signs with the key from LEDGER_SIGNING_KEY and refuses to rotate it', async () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const http = await boot({ signingKey: pem });
    await registerFirms(http, 1, 2);
    const { body: checkpoint } = await http.post('/v1/audit/checkpoints').set(as('admin')).expect(201);
    const { body: keys } = await http.get('/v1/audit/keys').set(as('auditor')).expect(200);
    expect(checkpoint.keyId).toBe(keyIdOf(keys.keys[0].publicKeyPem));
    await http
      .post('/v1/audit/keys/rotate')
      .set(as('admin'))
      .expect(409, /SIGNING_KEY_EXTERNAL/);
  });

  it('refuses to sign once an entry was edited in the database, and says where (verify, metrics, health)', async () => {
    const http = await boot();
    await registerFirms(http, 1, 6);
    await http.post('/v1/audit/checkpoints').set(as('admin')).expect(201);
    await http.get('/health').expect(200);

    await tamperEntry(3, '"name":"Firm 3"', '"name":"Firm X"');

    const { body: report } = await http.get('/v1/audit/verify').set(as('auditor')).expect(200);
    expect(report).toMatchObject({ ok: false, fault: { code: 'EVENT_EDITED', position: 3 } });

    await registerFirms(http, 7, 1);
    const refused = await http.post('/v1/audit/checkpoints').set(as('admin')).expect(409);
    expect(refused.body).toMatchObject({
      code: 'HISTORY_CHANGED',
      fault: { code: 'EVENT_EDITED', position: 3 },
    });
    const { body: latest } = await http.get('/v1/audit/checkpoints/latest').set(as('auditor')).expect(200);
    expect(latest.size).toBe(6);

    const metrics = (await http.get('/metrics').expect(200)).text;
    expect(metrics).toContain('ledger_history_intact 0');
    expect(metrics).toMatch(/ledger_checkpoint_refusals_total\{reason="EVENT_EDITED"\} 1/);
    expect(metrics).toContain('ledger_checkpoints_signed_total 1');
    const health = await http.get('/health').expect(503);
    expect(health.body.details.checkpointer).toMatchObject({
      status: 'down',
      historyIntact: false,
      fault: { code: 'EVENT_EDITED', position: 3 },
    });
  });

  it('serves the audit routes to auditors and admins only: signing and rotation to admins', async () => {
    const http = await boot();
    await registerFirms(http, 1, 1);
    const routes: [string, string, Record<'admin' | 'auditor' | 'service' | 'none', number>][] = [
      ['post', '/v1/audit/checkpoints', { admin: 201, auditor: 403, service: 403, none: 401 }],
      ['get', '/v1/audit/checkpoints', { admin: 200, auditor: 200, service: 403, none: 401 }],
      ['get', '/v1/audit/checkpoints/latest', { admin: 200, auditor: 200, service: 403, none: 401 }],
      ['get', '/v1/audit/keys', { admin: 200, auditor: 200, service: 403, none: 401 }],
      ['get', '/v1/audit/verify', { admin: 200, auditor: 200, service: 403, none: 401 }],
      ['post', '/v1/audit/keys/rotate', { admin: 201, auditor: 403, service: 403, none: 401 }],
    ];
    const seen: string[] = [];
    const expected: string[] = [];
    for (const [method, path, statuses] of routes) {
      for (const who of ['none', 'service', 'auditor', 'admin'] as const) {
        const call = method === 'get' ? http.get(path) : http.post(path);
        const response = await (who === 'none' ? call : call.set(as(who)));
        seen.push(`${method.toUpperCase()} ${path} as ${who}: ${response.status}`);
        expected.push(`${method.toUpperCase()} ${path} as ${who}: ${statuses[who]}`);
      }
    }
    expect(seen).toEqual(expected);
  });

  it('publishes the audit routes in OpenAPI with the advice to keep copies', async () => {
    const http = await boot();
    const { body: doc } = await http.get('/docs-json').expect(200);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/audit/checkpoints',
        '/v1/audit/checkpoints/latest',
        '/v1/audit/keys',
        '/v1/audit/keys/rotate',
        '/v1/audit/verify',
      ]),
    );
    expect(doc.paths['/v1/audit/checkpoints/latest'].get.description).toMatch(/outside this service/);
  });
});
