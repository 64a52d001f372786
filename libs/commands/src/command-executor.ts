import { randomUUID } from 'node:crypto';
import {
  DomainError,
  streamsOf,
  type LedgerCommand,
  type LedgerCommandType,
  type LedgerEvent,
} from '@ledger/domain';
import {
  DuplicateEventError,
  WrongExpectedVersionError,
  type EventMetadata,
  type RecordedEvent,
  type PostgresEventStore,
} from '@ledger/event-store';
import type { Fold } from './folds.js';
import { KeyedMutex } from './keyed-mutex.js';
import { plans, type Load, type Plan } from './plans.js';
import { StreamStateCache } from './stream-state-cache.js';
import { storedEvent, type Appended, type Attempt } from './attempt.js';
import { DecisionRounds } from './release-rounds.js';

/** Who asked, and why: recorded in every event's metadata. */
export interface CommandContext {
  actor: string;
  role: string;
  correlationId: string;
  causationId: string;
  commandId: string;
  /** For a request made idempotent: a digest of what was asked, to tell a replay from a reused key. */
  requestHash?: string;
}

export interface ExecuteOptions {
  /**
   * The id the event will carry. A retry of the same request passes the same id: if the first attempt's
   * event is stored already, the store refuses the duplicate and the stored event is the answer.
   */
  eventId?: string;
}

export interface CommandResult {
  /** The ledger position of the appended event: reads at or after it see this command's effect. */
  position: number;
  events: { eventId: string; type: string; streamId: string; version: number }[];
  /** The metadata the event was stored with (for a replay: the first request's). */
  metadata: EventMetadata;
}

/** Other commands kept moving the same streams; the client may retry. */
export class CommandConflictError extends Error {
  override readonly name = 'CommandConflictError';
  readonly code = 'CONCURRENCY_CONFLICT';
  constructor(
    readonly commandType: LedgerCommandType,
    readonly attempts: number,
  ) {
    super(`${commandType} kept conflicting with concurrent commands; gave up after ${attempts} attempts`);
  }
}

export interface CommandExecutorOptions {
  now?: () => Date;
  /** Decide-and-append attempts before a conflict is the caller's (default 40). */
  maxAttempts?: number;
  /** How long to wait for the sequencer to stamp the event (default 5 s). */
  stampTimeoutMs?: number;
  cacheCapacity?: number;
}

interface Read {
  version: number;
  fold: Fold<unknown>;
}

/**
 * The command path: load the states a command reads, decide, append the one event to every stream it
 * belongs to with the versions read as expected versions, then wait for its ledger position.
 *
 * States come from a cache first. A stale state cannot slip through: a stream the event is written to fails
 * the append and the decision is retried on fresh state; a stream only read can only be stale towards
 * refusal (registrations and purchases only accumulate), so a refusal is re-decided on fresh state before
 * it is answered.
 */
export class CommandExecutor {
  private readonly cache: StreamStateCache;
  private readonly contended = new KeyedMutex();
  private readonly writing = new KeyedMutex();
  private readonly rounds: DecisionRounds;
  private readonly now: () => Date;
  private readonly maxAttempts: number;
  private readonly stampTimeoutMs: number;

  constructor(
    private readonly store: PostgresEventStore,
    options: CommandExecutorOptions = {},
  ) {
    this.cache = new StreamStateCache(store, options.cacheCapacity);
    this.now = options.now ?? (() => new Date());
    this.maxAttempts = options.maxAttempts ?? 40;
    this.stampTimeoutMs = options.stampTimeoutMs ?? 5_000;
    this.rounds = new DecisionRounds({
      store,
      cache: this.cache,
      writing: this.writing,
      now: this.now,
      appendFailed: (error, eventId) => this.appendFailed(error, eventId),
    });
  }

  async execute(
    command: LedgerCommand,
    context: CommandContext,
    options: ExecuteOptions = {},
  ): Promise<CommandResult> {
    if (options.eventId) {
      const stored = await this.store.eventById(options.eventId);
      if (stored) return this.alreadyAppended(stored);
    }
    const eventId = options.eventId ?? randomUUID();
    const conflicted = new Set<string>();
    // Which reads must come from the database: none at first, the stream that conflicted after a
    // conflict (the cache may still be behind on it), everything before a refusal is answered.
    let fresh: Freshness = new Set<string>();
    // Releases are decided in rounds (see `board`) unless one of their rounds failed for a reason that
    // was not theirs to answer; they then go alone.
    let inRounds = command.type === 'ReleaseShipment';
    for (let attempt = 1; ; attempt++) {
      // After a conflict, the attempt queues in-process behind others on the streams that conflicted, so a
      // burst on one stream runs one after another here instead of colliding again and again.
      const release = await this.contended.lock(conflicted);
      let outcome: Attempt;
      try {
        const idempotent = options.eventId !== undefined;
        outcome = await this.attempt(command, context, eventId, fresh, idempotent, null, inRounds);
      } finally {
        release();
      }
      switch (outcome.kind) {
        case 'appended':
          return this.stamped(outcome.appended);
        case 'landed-before':
          return this.alreadyAppended(outcome.event);
        case 'refused-on-cache':
          fresh = 'all'; // never refuse on a cached state: decide again on what the database holds
          break;
        case 'unverified-reads':
          if (fresh !== 'all') for (const streamId of outcome.streamIds) fresh.add(streamId);
          break;
        case 'writes-moved':
          if (attempt >= this.maxAttempts) throw new CommandConflictError(command.type, attempt);
          break;
        case 'go-alone':
          inRounds = false;
          break;
        case 'conflict':
          if (attempt >= this.maxAttempts) throw new CommandConflictError(command.type, attempt);
          // A conflict while queued comes from another instance: back off before trying again.
          if (conflicted.has(outcome.streamId)) await backoff(attempt);
          conflicted.add(outcome.streamId);
          if (fresh !== 'all') fresh.add(outcome.streamId);
          break;
      }
    }
  }

  /**
   * One decide-and-append on states from the cache, or from the database where `fresh` says so. The first
   * decision tells which streams the event writes; the command then decides again holding those streams
   * in-process (`holding`), and appends before letting go. Commands of this process on one stream thus
   * append one after another, each on the state the one before left, instead of colliding in the database.
   */
  private async attempt(
    command: LedgerCommand,
    context: CommandContext,
    eventId: string,
    fresh: Freshness,
    idempotent: boolean,
    holding: ReadonlySet<string> | null,
    inRounds = false,
  ): Promise<Attempt> {
    const plan = plans[command.type] as Plan<LedgerCommandType>;
    const reads = new Map<string, Read>();
    // Streams not in the cache are first taken to be new (most are: a shipment's, an order's, a purchase's
    // own stream). That costs no read, and is safe where the event is written: the append expects the
    // stream not to exist, and a conflict re-reads it. A stream the event only reads is re-read before
    // the decision counts (see below).
    const assumedNew = new Set<string>();
    let servedFromCache = false;
    const load: Load = async (streamId, fold) => {
      const mustRead = fresh === 'all' || fresh.has(streamId);
      let cached = mustRead ? undefined : this.cache.peek(streamId, fold);
      if (!cached && !mustRead) {
        cached = { version: 0, state: fold.initial };
        assumedNew.add(streamId);
      }
      servedFromCache ||= cached !== undefined;
      const { version, state } = cached ?? (await this.cache.refresh(streamId, fold));
      reads.set(streamId, { version, fold });
      return state;
    };

    let event: LedgerEvent;
    try {
      event = await plan(command, load, this.now());
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (servedFromCache) return { kind: 'refused-on-cache' };
      // A retry of an idempotent request that landed meanwhile sees its own effect, and would refuse it.
      // Without a caller-given id the event cannot have landed: no need to ask.
      const landed = idempotent ? await this.store.eventById(eventId) : null;
      if (landed) return { kind: 'landed-before', event: landed };
      throw error;
    }

    const written = new Set(streamsOf(event));
    const unverified = [...assumedNew].filter((streamId) => !written.has(streamId));
    if (unverified.length > 0) return { kind: 'unverified-reads', streamIds: unverified };
    if (!holding && inRounds) return this.rounds.board({ command, context, eventId, writes: written });
    if (!holding) {
      const release = await this.writing.lock(written);
      try {
        // What this decision read fresh is in the cache now: the second decision takes it from there.
        return await this.attempt(command, context, eventId, new Set(), idempotent, written);
      } finally {
        release();
      }
    }
    if (![...written].every((streamId) => holding.has(streamId))) return { kind: 'writes-moved' };

    try {
      return { kind: 'appended', appended: await this.append(event, reads, context, eventId) };
    } catch (error) {
      return this.appendFailed(error, eventId);
    }
  }

  /** What an append's failure means for the command that made it. */
  private async appendFailed(error: unknown, eventId: string): Promise<Attempt> {
    if (error instanceof DuplicateEventError) {
      // The same request raced with itself: the one that landed is the answer.
      const landed = await this.store.eventById(eventId);
      if (landed) return { kind: 'landed-before', event: landed };
    }
    if (error instanceof WrongExpectedVersionError) return { kind: 'conflict', streamId: error.streamId };
    throw error;
  }

  private alreadyAppended(stored: RecordedEvent): Promise<CommandResult> {
    return this.stamped({
      eventId: stored.eventId,
      type: stored.type,
      streamId: stored.streamId,
      version: stored.streamVersion,
      metadata: stored.metadata,
    });
  }

  /** Waits (outside any in-process lock) for the ledger position that makes the command readable. */
  private async stamped({ metadata, ...event }: Appended): Promise<CommandResult> {
    const position = await this.store.waitForStamped([event.eventId], this.stampTimeoutMs);
    return { position, events: [event], metadata };
  }

  private async append(
    event: LedgerEvent,
    reads: Map<string, Read>,
    context: CommandContext,
    eventId: string,
  ): Promise<Appended> {
    const stored = storedEvent(event, context, eventId);
    const { metadata } = stored;
    const result = await this.store.append(
      streamsOf(event).map((streamId) => ({
        streamId,
        expectedVersion: reads.get(streamId)?.version ?? 'any',
        events: [stored],
      })),
    );
    for (const { streamId, version } of result.streams) {
      const read = reads.get(streamId);
      if (read) this.cache.advance(streamId, read.fold, read.version, version, event);
    }
    const [appended] = result.events;
    return {
      eventId,
      type: event.type,
      streamId: appended!.streamId,
      version: appended!.streamVersion,
      metadata,
    };
  }
}

type Freshness = 'all' | Set<string>;

/** Full jitter: concurrent losers spread out instead of colliding again in step. */
function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(100, 2 ** Math.min(attempt, 7));
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}
