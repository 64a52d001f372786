import type { LedgerEvent } from '@ledger/domain';
import type { PostgresEventStore } from '@ledger/event-store';
import type { Fold } from './folds.js';

export interface StreamState<State> {
  version: number;
  state: State;
}

interface Entry {
  version: number;
  state: unknown;
  fold: Fold<unknown>;
}

/**
 * Decision states by stream, each with the stream version it folds. A refresh reads only the events after
 * that version, so a command's cost does not grow with the length of the streams it reads. The version is
 * what makes a cached state safe to decide on: the append names it as the expected version.
 */
export class StreamStateCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly store: PostgresEventStore,
    private readonly capacity = 10_000,
  ) {}

  peek<State>(streamId: string, fold: Fold<State>): StreamState<State> | undefined {
    const entry = this.entries.get(streamId);
    if (!entry || entry.fold !== fold) return undefined;
    this.touch(streamId, entry);
    return { version: entry.version, state: entry.state as State };
  }

  /** Brings the stream's state up to what the database holds now. */
  async refresh<State>(streamId: string, fold: Fold<State>): Promise<StreamState<State>> {
    const cached = this.peek(streamId, fold);
    let { version, state } = cached ?? { version: 0, state: fold.initial };
    for (const event of await this.store.readStream(streamId, { fromVersion: version + 1 })) {
      state = fold.evolve(state, { type: event.type, data: event.data } as unknown as LedgerEvent);
      version = event.streamVersion;
    }
    this.touch(streamId, { version, state, fold: fold });
    return { version, state };
  }

  /**
   * After our own append took the stream from `from` to `to`: fold the event in without a read. A stream
   * our append started (from 0) is cached from then on.
   */
  advance<State>(streamId: string, fold: Fold<State>, from: number, to: number, event: LedgerEvent): void {
    if (to !== from + 1) return;
    const entry = this.entries.get(streamId);
    const base = entry ?? (from === 0 ? { version: 0, state: fold.initial, fold } : undefined);
    if (base?.fold !== fold || base.version !== from) return;
    this.touch(streamId, { version: to, state: fold.evolve(base.state as State, event), fold });
  }

  private touch(streamId: string, entry: Entry): void {
    this.entries.delete(streamId); // re-inserting keeps the Map in least-recently-used order
    this.entries.set(streamId, entry);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}
