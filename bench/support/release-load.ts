import { randomUUID } from 'node:crypto';
import type { Timing } from './config.js';
import { runTimedWriters, type TimedRun } from './timed-writers.js';

export const FIRMS = Array.from({ length: 10 }, (_, i) => `firm-${i}`);
export const SKUS = ['H200', 'H20'] as const;
export const ADMIN_SECRET = 'bench-admin-secret-0123456789';

export type Mix = 'spread' | 'one-product';

export interface ReleaseLoad {
  base: string;
  mix: Mix;
  clients: number;
  timing: Timing;
}

export interface ReleaseLoadResult {
  run: TimedRun;
  refused: number;
}

export const orderId = (firmId: string, sku: string) => `O-${firmId}-${sku}`;

/** `clients` loops of ReleaseShipment over HTTP, each waiting for its answer before the next. */
export async function releaseLoad({ base, mix, clients, timing }: ReleaseLoad): Promise<ReleaseLoadResult> {
  let refused = 0;
  const run = await runTimedWriters(clients, timing, async ({ writer, iteration }) => {
    const firmId = FIRMS[(writer + iteration) % FIRMS.length]!;
    const sku = mix === 'spread' ? SKUS[(writer + iteration) % SKUS.length]! : 'H200';
    const response = await post(base, '/v1/shipments', {
      shipmentId: `S-${randomUUID()}`,
      orderId: orderId(firmId, sku),
      quantity: 1,
    });
    if (response.status !== 201) refused += 1;
  });
  return { run, refused };
}

export function post(base: string, path: string, body: object): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${ADMIN_SECRET}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  }).then(async (response) => {
    await response.arrayBuffer(); // drain, so the connection goes back to the pool
    return response;
  });
}
