import { EventEmitter } from 'node:events';

export interface StampedBatch {
  fromPosition: number;
  toPosition: number;
  eventIds: string[];
  /** performance.now() when the batch committed. */
  committedAt: number;
}

/**
 * In-process wake-ups between writers, the sequencer and readers. Only ever a hint: every loop that
 * listens also polls, since another process (or the embedded database, which has no cross-connection
 * LISTEN/NOTIFY) may do the writing.
 */
export class LedgerSignals {
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private lastStampedAt = Number.NEGATIVE_INFINITY;

  /** An append committed (or, in a caller's transaction, was written); `durationMs` is its round trip. */
  appended(durationMs = 0): void {
    this.emitter.emit('appended', durationMs);
  }

  stamped(batch: StampedBatch): void {
    this.lastStampedAt = performance.now();
    this.emitter.emit('stamped', batch);
  }

  /** Whether a sequencer in this process announced a stamp within the last `withinMs`. */
  stampingHere(withinMs = 1_000): boolean {
    return performance.now() - this.lastStampedAt < withinMs;
  }

  onAppended(listener: (durationMs: number) => void): () => void {
    this.emitter.on('appended', listener);
    return () => this.emitter.off('appended', listener);
  }

  onStamped(listener: (batch: StampedBatch) => void): () => void {
    this.emitter.on('stamped', listener);
    return () => this.emitter.off('stamped', listener);
  }

  /** Resolves on the next stamped batch, after `timeoutMs`, or when `signal` aborts, whichever is first. */
  nextStamped(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return this.next('stamped', timeoutMs, signal);
  }

  private next(event: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.emitter.off(event, done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.emitter.once(event, done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
