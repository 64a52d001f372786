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
  type AppendResult,
  type PostgresEventStore,
} from '@ledger/event-store';
import { storedEvent, type Attempt } from './attempt.js';
import type { CommandContext } from './command-executor.js';
import type { Fold } from './folds.js';
import type { KeyedMutex } from './keyed-mutex.js';
import { plans, type Load, type Plan } from './plans.js';
import type { StreamStateCache } from './stream-state-cache.js';

export interface RoundsDependencies {
  store: PostgresEventStore;
  cache: StreamStateCache;
  /** The executor's in-process holds on written streams: a round holds its streams there too. */
  writing: KeyedMutex;
  now: () => Date;
  /** What an append's failure means for the one command that made it. */
  appendFailed: (error: unknown, eventId: string) => Promise<Attempt>;
}

/** A command after its first decision: `writes` are the streams that decision wrote. */
export interface Boarding {
  command: LedgerCommand;
  context: CommandContext;
  eventId: string;
  writes: ReadonlySet<string>;
}

/**
 * Decisions in rounds. Releases that arrive while a round is running wait for the next one; a round
 * holds the streams its releases write, decides them one after another, each on the state the ones
 * before it left (an overlay on the cache), and appends them as few atomic appends as possible: releases
 * that share a stream (their product, their order) are one append, so one fails only with the others it
 * was decided on. The appends of a round share one transaction (the store's group commit). A hot product
 * then takes a round of releases per commit instead of one.
 */
export class DecisionRounds {
  private readonly waiting: Seat[] = [];
  private running = false;

  constructor(private readonly deps: RoundsDependencies) {}

  /** Takes the command into the next round; answers with how its decision and append went. */
  board(seat: Boarding): Promise<Attempt> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ ...seat, settle: { resolve, reject } });
      if (!this.running) void this.runRounds();
    });
  }

  private async runRounds(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length > 0) {
        const round = this.waiting.splice(0, MAX_ROUND);
        await this.runRound(round).catch((error: unknown) => {
          for (const seat of round) seat.settle.reject(error);
        });
      }
    } finally {
      this.running = false;
    }
  }

  private async runRound(round: readonly Seat[]): Promise<void> {
    const locked = new Set(round.flatMap((seat) => [...seat.writes]));
    const release = await this.deps.writing.lock(locked);
    try {
      const overlay = new Map<string, Folded>();
      const before = new Map<string, number>();
      const decided: Decided[] = [];
      for (const seat of round) {
        const outcome = await this.decideInRound(seat, overlay, before, locked);
        if ('kind' in outcome) seat.settle.resolve(outcome);
        else decided.push(outcome);
      }
      // A group that fails unexpectedly answers its own releases only: another group's append may have
      // committed, and its releases must hear so.
      await Promise.all(
        groupBySharedStreams(decided).map((group) =>
          this.appendGroup(group, before).catch((error: unknown) => {
            for (const { seat } of group) seat.settle.reject(error);
          }),
        ),
      );
    } finally {
      release();
    }
  }

  /** Decides one release on the round's overlay, the cache under it, and new streams taken to be new. */
  private async decideInRound(
    seat: Seat,
    overlay: Map<string, Folded>,
    before: Map<string, number>,
    locked: ReadonlySet<string>,
  ): Promise<Decided | Attempt> {
    const plan = plans[seat.command.type] as Plan<LedgerCommandType>;
    const reads = new Map<string, Folded>();
    const assumedNew = new Set<string>();
    // Nothing here waits on the database: a round decides from memory.
    const load: Load = (streamId, fold) => {
      const decidedHere = overlay.get(streamId);
      let read = decidedHere?.fold === fold ? decidedHere : this.deps.cache.peek(streamId, fold);
      if (!read) {
        read = { version: 0, state: fold.initial };
        assumedNew.add(streamId);
      }
      if (!decidedHere && !before.has(streamId)) before.set(streamId, read.version);
      reads.set(streamId, { version: read.version, state: read.state, fold });
      return Promise.resolve(read.state as never);
    };
    let event: LedgerEvent;
    try {
      event = await plan(seat.command, load, this.deps.now());
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return { kind: 'refused-on-cache' };
    }
    const written = streamsOf(event);
    const unverified = [...assumedNew].filter((streamId) => !written.includes(streamId));
    if (unverified.length > 0) return { kind: 'unverified-reads', streamIds: unverified };
    if (!written.every((streamId) => locked.has(streamId))) return { kind: 'writes-moved' };
    // The overlay folds the event into every stream it writes, so each must have been read.
    if (!written.every((streamId) => reads.has(streamId))) return { kind: 'go-alone' };
    for (const streamId of written) {
      const read = reads.get(streamId)!;
      overlay.set(streamId, {
        version: read.version + 1,
        state: read.fold.evolve(read.state, event),
        fold: read.fold,
      });
    }
    return { seat, event, written, reads };
  }

  /** One atomic append for releases decided on each other's state; each hears its own answer. */
  private async appendGroup(group: readonly Decided[], before: ReadonlyMap<string, number>): Promise<void> {
    const stored = group.map(({ seat, event }) => storedEvent(event, seat.context, seat.eventId));
    // An event is stored in the first stream that lists it: every event's own stream goes first.
    const order = [
      ...new Set([...group.map(({ written }) => written[0]!), ...group.flatMap(({ written }) => written)]),
    ];
    const appends = order.map((streamId) => ({
      streamId,
      expectedVersion: before.get(streamId) ?? ('any' as const),
      events: stored.filter((_, i) => group[i]!.written.includes(streamId)),
    }));
    let result: AppendResult;
    try {
      result = await this.deps.store.append(appends);
    } catch (error) {
      if (group.length === 1) {
        const only = group[0]!.seat;
        await this.deps.appendFailed(error, only.eventId).then(only.settle.resolve, only.settle.reject);
        return;
      }
      const answer: Attempt =
        error instanceof WrongExpectedVersionError
          ? { kind: 'conflict', streamId: error.streamId }
          : { kind: 'go-alone' };
      if (!(error instanceof WrongExpectedVersionError || error instanceof DuplicateEventError)) throw error;
      for (const { seat } of group) seat.settle.resolve(answer);
      return;
    }
    const byId = new Map(result.events.map((appended) => [appended.eventId, appended]));
    group.forEach(({ seat, event, reads }, i) => {
      const appended = byId.get(seat.eventId)!;
      for (const placed of [appended, ...appended.links]) {
        const read = reads.get(placed.streamId)!;
        this.deps.cache.advance(
          placed.streamId,
          read.fold,
          placed.streamVersion - 1,
          placed.streamVersion,
          event,
        );
      }
      seat.settle.resolve({
        kind: 'appended',
        appended: {
          eventId: seat.eventId,
          type: event.type,
          streamId: appended.streamId,
          version: appended.streamVersion,
          metadata: stored[i]!.metadata,
        },
      });
    });
  }
}

/** Releases a round takes at most. */
const MAX_ROUND = 64;

/** A release waiting for a round, and how to answer it. */
interface Seat extends Boarding {
  settle: { resolve: (attempt: Attempt) => void; reject: (error: unknown) => void };
}

interface Folded {
  version: number;
  state: unknown;
  fold: Fold<unknown>;
}

interface Decided {
  seat: Seat;
  event: LedgerEvent;
  written: string[];
  reads: Map<string, Folded>;
}

/** Decisions that share a stream, directly or through others, in round order. */
function groupBySharedStreams(decided: readonly Decided[]): Decided[][] {
  const groupOf = new Map<string, Decided[]>();
  const groups = new Set<Decided[]>();
  for (const item of decided) {
    const joined = new Set(
      item.written.map((streamId) => groupOf.get(streamId)).filter((g) => g !== undefined),
    );
    const group = [...joined].flat();
    group.push(item);
    group.sort((a, b) => decided.indexOf(a) - decided.indexOf(b));
    for (const old of joined) groups.delete(old);
    groups.add(group);
    for (const member of group) for (const streamId of member.written) groupOf.set(streamId, group);
  }
  return [...groups];
}
