import pg from 'pg';

export type LeaderState = 'stopped' | 'standby' | 'leader';

/** What the loop keeps up to date in its role's status. */
export interface LeaderStatus {
  state: LeaderState;
  lastError: string | null;
  /** Date.now() of the last loop turn; a leader whose heartbeat stops is not alive. */
  heartbeatAt: number;
}

/** A background job of which one instance per database may run at a time: the sequencer, the projector. */
export interface LeaderRole {
  /** Names the advisory lock (one leader per name and database), the connection and the log lines. */
  readonly name: string;
  /** Runs while this instance leads, on the leader's own connection, until stopped; throwing ends the lead. */
  lead(client: pg.Client): Promise<void>;
  /** The leader's connection is closed, and the lock with it: drops what belonged to that leadership. */
  released(): void;
  /** Waits up to `ms`, less once the loop is stopped. */
  sleep(ms: number): Promise<void>;
}

export interface LeaderLoopOptions {
  /** How often a standby instance tries to become leader. */
  standbyMs: number;
  /** The wait after a failure before connecting again. */
  retryMs: number;
  /** What the failure's log line says happens next. */
  onFailure: string;
  logger: { log(message: string): void; error(message: string): void };
}

const leaderLock = (name: string) => `hashtextextended('supply-ledger:${name}', 0)`;

/** A connection for the role, whose errors (a dropped socket, say) land in `status.lastError`. */
export async function connectFor(url: string, name: string, status: LeaderStatus): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: `ledger-${name}` });
  client.on('error', (error) => {
    status.lastError = error.message;
  });
  await client.connect();
  return client;
}

/**
 * Competes for the role's leadership until `stopping` aborts: one leader per database among all the
 * service's instances, elected by a session-level advisory lock on a connection of its own (closing it
 * releases the lock, so a crashed leader's lock goes with its session). A standby instance tries for the
 * lock every `standbyMs`; the leader runs the role until stopped or until anything fails, then drops the
 * connection and competes again after `retryMs`.
 */
export async function runForLeadership(
  url: string,
  role: LeaderRole,
  status: LeaderStatus,
  stopping: AbortSignal,
  options: LeaderLoopOptions,
): Promise<void> {
  try {
    while (!stopping.aborted) {
      let client: pg.Client | null = null;
      try {
        client = await connectFor(url, role.name, status);
        // A stop that came while the lock was taken ends the leadership before it starts.
        if ((await becomeLeader(client, role, status, stopping, options)) && !stopping.aborted) {
          await role.lead(client);
        }
      } catch (error) {
        status.lastError = (error as Error).message;
        options.logger.error(`${role.name}: ${(error as Error).message}; ${options.onFailure}`);
        await role.sleep(options.retryMs);
      } finally {
        if (status.state === 'leader') options.logger.log(`${role.name}: leadership released`);
        role.released();
        await client?.end().catch(() => undefined);
        status.state = 'standby';
      }
    }
  } finally {
    status.state = 'stopped';
  }
}

async function becomeLeader(
  client: pg.Client,
  role: LeaderRole,
  status: LeaderStatus,
  stopping: AbortSignal,
  options: LeaderLoopOptions,
): Promise<boolean> {
  status.state = 'standby';
  while (!stopping.aborted) {
    status.heartbeatAt = Date.now();
    const { rows } = await client.query<{ leader: boolean }>(
      `SELECT pg_try_advisory_lock(${leaderLock(role.name)}) AS leader`,
    );
    if (rows[0]!.leader) {
      status.state = 'leader';
      options.logger.log(`${role.name}: leading`);
      return true;
    }
    await role.sleep(options.standbyMs);
  }
  return false;
}
