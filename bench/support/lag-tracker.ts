import type { LedgerSignals, StampedBatch } from '@ledger/event-store';
import { summarize, type LatencySummary } from './stats.js';

interface Tracked {
  measured: boolean;
  resolvedAt?: number;
  stampedAt?: number;
}

/**
 * Sequencer lag per event: from the moment its append resolved to the commit of the batch that stamped it.
 * Either side may be seen first (the stamp's signal can run before the append's continuation), so an
 * event is settled only once both are known.
 */
export class LagTracker {
  private readonly tracked = new Map<string, Tracked>();
  private readonly lags: number[] = [];

  /** Call before appending, so that a stamp arriving ahead of the append's continuation is not lost. */
  expect(eventId: string, measured: boolean): void {
    this.tracked.set(eventId, { measured });
  }

  resolved(eventId: string, at: number): void {
    const event = this.tracked.get(eventId);
    if (!event) return;
    event.resolvedAt = at;
    this.settle(eventId, event);
  }

  stamped(batch: StampedBatch): void {
    for (const eventId of batch.eventIds) {
      const event = this.tracked.get(eventId);
      if (!event) continue;
      event.stampedAt = batch.committedAt;
      this.settle(eventId, event);
    }
  }

  get outstanding(): number {
    return this.tracked.size;
  }

  summary(): LatencySummary {
    return summarize(this.lags);
  }

  /** Waits until every expected event is stamped, so that the slowest ones are counted too. */
  async waitUntilAllStamped(signals: LedgerSignals, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.outstanding > 0) {
      if (performance.now() > deadline) {
        throw new Error(`${this.outstanding} appended events still unstamped after ${timeoutMs} ms`);
      }
      await signals.nextStamped(50);
    }
  }

  private settle(eventId: string, event: Tracked): void {
    if (event.resolvedAt === undefined || event.stampedAt === undefined) return;
    if (event.measured) this.lags.push(event.stampedAt - event.resolvedAt);
    this.tracked.delete(eventId);
  }
}
