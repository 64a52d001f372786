import type pg from 'pg';
import { createTestDatabase, type TestDatabase } from '@ledger/database/testing';
import { runForLeadership, type LeaderRole, type LeaderStatus } from './leader-loop.js';
import { sleep, until } from '../../../../test/support/wait.js';

/** A role that records what the loop does to it; `lead` runs `leading` until stopped or it throws. */
function recordingRole(
  name: string,
  stopping: AbortSignal,
  leading: (client: pg.Client, turn: number) => Promise<void>,
) {
  const seen = { leads: 0, released: 0, backends: [] as number[] };
  const role: LeaderRole = {
    name,
    lead: async (client) => {
      seen.leads += 1;
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      seen.backends.push(rows[0]!.pid);
      await leading(client, seen.leads);
    },
    released: () => {
      seen.released += 1;
    },
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        if (stopping.aborted) return resolve();
        const timer = setTimeout(resolve, ms);
        stopping.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            resolve();
          },
          { once: true },
        );
      }),
  };
  return { role, seen };
}

/** Resolves when `stopping` aborts, or at once if it already has (a stop may land while the lead starts). */
const untilStopped = (stopping: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (stopping.aborted) resolve();
    else stopping.addEventListener('abort', () => resolve(), { once: true });
  });

/** Runs the loop for a recording role; `stop` aborts it and waits for it to end. */
function startRole(
  db: TestDatabase,
  name: string,
  leading: (stopping: AbortSignal, turn: number) => Promise<void> = (stopping) => untilStopped(stopping),
) {
  const stopping = new AbortController();
  const { role, seen } = recordingRole(name, stopping.signal, (_client, turn) =>
    leading(stopping.signal, turn),
  );
  const errors: string[] = [];
  const status: LeaderStatus = { state: 'stopped', lastError: null, heartbeatAt: 0 };
  const running = runForLeadership(db.url, role, status, stopping.signal, {
    standbyMs: 50,
    retryMs: 20,
    onFailure: 'trying again',
    logger: { log: () => undefined, error: (message) => errors.push(message) },
  });
  const stop = async () => {
    stopping.abort();
    await running;
  };
  return { seen, status, errors, stop };
}

describe('runForLeadership', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.close());

  it('after a lead that fails: records and logs the error, releases, and leads again on a new connection', async () => {
    const failing = startRole(db, 'failing-role', async (stopping, turn) => {
      if (turn === 1) throw new Error('the batch failed');
      await untilStopped(stopping);
    });

    await until(() => failing.seen.leads === 2 && failing.status.state === 'leader');
    expect(failing.seen.released).toBe(1);
    expect(failing.status.lastError).toBe('the batch failed');
    expect(failing.errors).toEqual(['failing-role: the batch failed; trying again']);
    if (db.kind === 'server') expect(failing.seen.backends[1]).not.toBe(failing.seen.backends[0]);

    await failing.stop();
    expect(failing.status.state).toBe('stopped');
    expect(failing.seen.released).toBe(2);
  });

  it('lets one instance lead per role name, hands over when the leader stops, and keeps names apart', async () => {
    const [a, b, other] = [
      startRole(db, 'shared-role'),
      startRole(db, 'shared-role'),
      startRole(db, 'other-role'),
    ];
    await until(() => other.status.state === 'leader');
    await until(() => a.status.state === 'leader' || b.status.state === 'leader');
    await sleep(200);
    if (db.kind === 'embedded') {
      // PGlite is one session, so its advisory locks cannot elect: both lead. The data directory's lock file
      // is what keeps a second process away there (see the sequencer's election test).
      expect([a.status.state, b.status.state]).toEqual(['leader', 'leader']);
    } else {
      const [leader, standby] = a.status.state === 'leader' ? [a, b] : [b, a];
      expect([standby.status.state, standby.seen.leads]).toEqual(['standby', 0]);
      await leader.stop();
      // The state turns to leader just before the lead starts: wait for the lead itself.
      await until(() => standby.status.state === 'leader' && standby.seen.leads === 1);
    }
    await Promise.all([a, b, other].map((role) => role.stop()));
  });
});
