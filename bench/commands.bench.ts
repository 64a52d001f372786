import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandExecutor, type CommandContext } from '@ledger/commands';
import { productStream, type LedgerCommand } from '@ledger/domain';
import { LedgerSignals, PostgresEventStore } from '@ledger/event-store';
import { AppModule } from '../apps/ledger-api/src/app.module.js';
import { Worker } from 'node:worker_threads';
import type { Timing } from './support/config.js';
import { withPool, withSequencer } from './support/database.js';
import { progress } from './support/progress.js';
import {
  ADMIN_SECRET,
  FIRMS,
  orderId,
  post,
  SKUS,
  type Mix,
  type ReleaseLoad,
  type ReleaseLoadResult,
} from './support/release-load.js';
import { summarize, type LatencySummary } from './support/stats.js';
import type { TimedRun } from './support/timed-writers.js';

export const CLIENT_COUNTS = [1, 8, 32] as const;
const PLENTY = 100_000_000;

export interface CommandRun {
  mix: Mix;
  clients: number;
  run: TimedRun;
  refused: number;
}

export interface StreamLengthResult {
  freshWarm: LatencySummary;
  longWarm: LatencySummary;
  freshCold: number;
  longCold: number;
  streamLength: number;
}

/**
 * ReleaseShipment over HTTP against the real service (loopback), with releases spread over 10 firms and 2
 * products, then all on one product. The clients run on a worker thread of their own, as clients on other
 * machines would: the service's event loop serves requests, it does not also make them.
 */
export async function benchCommandsOverHttp(url: string, timing: Timing): Promise<CommandRun[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-bench-'));
  const app = await bootService(url, dataDir);
  try {
    const base = await app.getUrl();
    progress('commands: registering 2 products, 10 firms, licences, approvals, supply and orders');
    await setUpMarket(base);
    const results: CommandRun[] = [];
    for (const mix of ['spread', 'one-product'] as const) {
      for (const clients of CLIENT_COUNTS) {
        progress(`commands: ReleaseShipment over HTTP, ${mix}, ${clients} clients`);
        const { run, refused } = await releaseLoadInWorker({ base, mix, clients, timing });
        results.push({ mix, clients, run, refused });
      }
    }
    return results;
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * The cost of a command against a product whose stream holds 10,000 events, next to a fresh one: warm
 * (the service's steady state, states cached by stream version) and cold (the first command after a start).
 */
export async function benchStreamLength(url: string, samples = 300): Promise<StreamLengthResult> {
  const signals = new LedgerSignals();
  return withSequencer(url, { signals }, () =>
    withPool(url, 8, async (pool) => {
      const store = new PostgresEventStore(pool, { signals });
      const setup = new CommandExecutor(store);
      progress('stream length: two products, one with a 10,000-event stream');
      for (const sku of ['FRESH', 'LONG']) await market(setup, sku);
      const streamLength = await lengthen(store, 'LONG', 10_000);

      const measure = async (executor: CommandExecutor, sku: string, count: number) => {
        const latencies: number[] = [];
        for (let i = 0; i < count; i++) {
          const started = performance.now();
          await executor.execute(release(sku), context());
          latencies.push(performance.now() - started);
        }
        return latencies;
      };
      progress('stream length: cold first commands');
      const [freshCold] = await measure(new CommandExecutor(store), 'FRESH', 1);
      const [longCold] = await measure(new CommandExecutor(store), 'LONG', 1);
      progress(`stream length: ${samples} warm commands each, alternating`);
      const warm = new CommandExecutor(store);
      await measure(warm, 'FRESH', 5);
      await measure(warm, 'LONG', 5);
      const fresh: number[] = [];
      const long: number[] = [];
      for (let i = 0; i < samples; i++) {
        fresh.push(...(await measure(warm, 'FRESH', 1)));
        long.push(...(await measure(warm, 'LONG', 1)));
      }
      return {
        freshWarm: summarize(fresh),
        longWarm: summarize(long),
        freshCold: freshCold!,
        longCold: longCold!,
        streamLength,
      };
    }),
  );
}

async function bootService(url: string, dataDir: string): Promise<INestApplication> {
  const app = await NestFactory.create(
    AppModule.forRoot({
      port: 0,
      database: { url, dataDir },
      apiKeys: [{ name: 'bench', role: 'admin', secret: ADMIN_SECRET }],
      commandsPerMinute: 0,
    }),
    { logger: ['error'] },
  );
  await app.listen(0, '127.0.0.1');
  return app;
}

async function setUpMarket(base: string): Promise<void> {
  const steps: [string, object][] = [
    ...SKUS.map((sku): [string, object] => [
      '/v1/products',
      { sku, name: sku, vendor: 'Nvidia', origin: 'foreign' },
    ]),
    ...FIRMS.map((firmId): [string, object] => ['/v1/firms', { firmId, name: firmId, jurisdiction: 'CN' }]),
    ...SKUS.map((sku): [string, object] => [
      '/v1/export-licenses',
      { licenseId: `L-${sku}`, sku, vendor: 'Nvidia', destination: 'CN' },
    ]),
    ...SKUS.map((sku): [string, object] => ['/v1/supply', { supplyId: `S-${sku}`, sku, quantity: PLENTY }]),
    ...FIRMS.flatMap((firmId) =>
      SKUS.flatMap((sku): [string, object][] => [
        ['/v1/approvals', { approvalId: `A-${firmId}-${sku}`, batchId: 'b-1', firmId, sku, quota: PLENTY }],
        ['/v1/orders', { orderId: orderId(firmId, sku), firmId, sku, quantity: PLENTY }],
      ]),
    ),
  ];
  for (const [path, body] of steps) {
    const response = await post(base, path, body);
    if (response.status !== 201)
      throw new Error(`setting up ${path} failed: ${response.status} ${await response.text()}`);
  }
}

function releaseLoadInWorker(load: ReleaseLoad): Promise<ReleaseLoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./support/release-load.worker.js', import.meta.url), {
      workerData: load,
    });
    worker.once('message', (result: ReleaseLoadResult) => resolve(result));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the load generator exited with code ${code}`));
    });
  });
}

function context(): CommandContext {
  const id = randomUUID();
  return { actor: 'bench', role: 'admin', correlationId: id, causationId: id, commandId: id };
}

const release = (sku: string): LedgerCommand => ({
  type: 'ReleaseShipment',
  data: { shipmentId: `S-${randomUUID()}`, orderId: `O-${sku}`, quantity: 1 },
});

async function market(executor: CommandExecutor, sku: string): Promise<void> {
  const commands: LedgerCommand[] = [
    { type: 'RegisterProduct', data: { sku, name: sku, vendor: 'Nvidia', origin: 'foreign' } },
    ...(sku === 'FRESH'
      ? [{ type: 'RegisterFirm', data: { firmId: 'bench', name: 'bench', jurisdiction: 'CN' } } as const]
      : []),
    { type: 'GrantExportLicense', data: { licenseId: `L-${sku}`, sku, vendor: 'Nvidia', destination: 'CN' } },
    {
      type: 'GrantApproval',
      data: { approvalId: `A-${sku}`, batchId: 'b', firmId: 'bench', sku, quota: PLENTY },
    },
    { type: 'RecordSupply', data: { supplyId: `S-${sku}`, sku, quantity: PLENTY } },
    { type: 'PlaceOrder', data: { orderId: `O-${sku}`, firmId: 'bench', sku, quantity: PLENTY } },
  ];
  for (const command of commands) await executor.execute(command, context());
}

/** Grows the product's stream with supply records (the kind of event it gathers in production). */
async function lengthen(store: PostgresEventStore, sku: string, count: number): Promise<number> {
  for (let done = 0; done < count; done += 500) {
    const events = Array.from({ length: 500 }, () => ({
      type: 'SupplyRecorded',
      data: { supplyId: `S-${randomUUID()}`, sku, quantity: 1 },
      metadata: { actor: 'bench', role: 'admin', correlationId: 'c', causationId: 'c', commandId: 'c' },
    }));
    await store.append({ streamId: productStream(sku), expectedVersion: 'any', events });
  }
  return store.streamVersion(productStream(sku));
}
