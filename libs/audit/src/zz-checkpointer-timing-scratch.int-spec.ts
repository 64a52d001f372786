import { createTestDatabase } from '@ledger/database/testing';
import { LedgerSignals, PostgresEventStore, Sequencer } from '@ledger/event-store';
import { anEvent } from '../../../test/support/events.js';
import { generateSigningKey } from './checkpoint.js';
import { Checkpointer, verifyStoredLedger } from './checkpointer.js';

it('times', async () => {
  const db = await createTestDatabase();
  const signals = new LedgerSignals();
  const store = new PostgresEventStore(db.pool, { signals });
  const sequencer = new Sequencer(db.url, { signals });
  sequencer.start();
  const N = 50_000;
  for (let i = 0; i < N / 500; i++) {
    const events = Array.from({ length: 500 }, (_, j) =>
      anEvent('Tested', { n: i * 500 + j, note: 'x'.repeat(200) }),
    );
    await store.append({ streamId: `s-${i}`, expectedVersion: 'any', events });
    if (i % 10 === 9) await store.waitForStamped([events[499]!.eventId!], 60_000);
  }
  while ((await store.head()).position < N) await new Promise((r) => setTimeout(r, 100));
  const key = generateSigningKey(new Date().toISOString());
  const c = new Checkpointer({
    pool: db.pool,
    store,
    keys: { current: () => key, rotate: () => key },
    intervalMs: 0,
  });
  c.start();
  let t = performance.now();
  await c.checkpoint({ full: true });
  const full = performance.now() - t;
  const more = Array.from({ length: 500 }, (_, j) => anEvent('Tested', { n: j }));
  await store.append({ streamId: 'more', expectedVersion: 'any', events: more });
  await store.waitForStamped([more[499]!.eventId!], 60_000);
  t = performance.now();
  await c.checkpoint();
  const inc = performance.now() - t;
  t = performance.now();
  await c.checkpoint({ full: true });
  const full2 = performance.now() - t;
  console.log('full2', Math.round(full2));
  const { ChainVerifier } = await import('@ledger/event-store');
  const { MerkleFrontier } = await import('./merkle.js');
  const ledgerId = await store.ledgerId();
  t = performance.now();
  const all = [];
  for await (const e of store.readEntries()) all.push(e);
  console.log('read', Math.round(performance.now() - t));
  t = performance.now();
  const cv = new ChainVerifier(ledgerId);
  for (const e of all) cv.check(e);
  console.log('chain', Math.round(performance.now() - t));
  t = performance.now();
  const f = new MerkleFrontier();
  for (const e of all) f.append(e.entry);
  console.log('merkle', Math.round(performance.now() - t));
  t = performance.now();
  const report = await verifyStoredLedger(db.pool, store);
  const verify = performance.now() - t;
  console.log(
    JSON.stringify({
      N,
      fullMs: Math.round(full),
      fullPerSec: Math.round(N / (full / 1000)),
      incremental500Ms: Math.round(inc),
      verifyMs: Math.round(verify),
      ok: report.ok,
    }),
  );
  await c.stop();
  await sequencer.stop();
  await db.close();
}, 600_000);
