import { createTestDatabase, type TestDatabase } from '@ledger/database/testing';
import { anEvent } from '../../../../test/support/events.js';
import { LedgerSignals } from '../ledger-signals.js';
import { Sequencer } from '../ledger/sequencer.js';
import { PostgresEventStore } from './postgres-event-store.js';

/**
 * Answers of many megabytes: on the embedded database they once reached a client corrupted, because the
 * wire server queued views of PGlite's memory that the next query overwrote before the socket sent them.
 */
describe('large appends and large answers', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.close());

  it('stamps and reads back 1,000 events of 20 kB each (20 MB per page) intact', async () => {
    const signals = new LedgerSignals();
    const store = new PostgresEventStore(db.pool, { signals });
    const sequencer = new Sequencer(db.url, { signals });
    sequencer.start();
    try {
      const written: string[] = [];
      for (let batch = 0; batch < 10; batch++) {
        const events = Array.from({ length: 100 }, (_, i) =>
          anEvent('Big', { index: batch * 100 + i, note: String(batch * 100 + i).padEnd(20_000, '.') }),
        );
        written.push(...events.map((event) => event.eventId!));
        await store.append({ streamId: `big-${batch}`, expectedVersion: 'any', events });
      }
      expect(await store.waitForStamped(written, 60_000)).toBe(1_000);
    } finally {
      await sequencer.stop();
    }
    for (const limit of [100, 1_000]) {
      const page = await store.readLedgerPage(0, limit);
      expect(page).toHaveLength(limit);
      page.forEach((event, i) => {
        expect(event.position).toBe(i + 1);
        expect((event.data.note as string).length).toBe(20_000);
        expect((event.data.note as string).startsWith(`${event.data.index as number}.`)).toBe(true);
      });
    }
    expect((await store.verifyChain()).ok).toBe(true);
  });
});
