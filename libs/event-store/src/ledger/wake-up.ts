/**
 * Sleeps that an event cuts short. An event that comes while nobody sleeps (the sleeper was busy, say
 * querying) is kept, and the next sleep returns at once: without that the event would be lost and its
 * work would wait out a whole sleep. `stopping` ends any sleep.
 */
export class WakeUp {
  private wake: (() => void) | null = null;
  private pending = false;

  constructor(private readonly stopping: AbortSignal) {}

  /** Ends the current sleep, or the next one if none is under way. */
  signal(): void {
    if (this.wake) this.wake();
    else this.pending = true;
  }

  /** Waits `ms`, less if signalled (now or since the last sleep) or stopped. */
  sleep(ms: number): Promise<void> {
    if (this.pending || this.stopping.aborted) {
      this.pending = false;
      return Promise.resolve();
    }
    return this.wait(ms, true);
  }

  /** Waits `ms` whatever is signalled meanwhile (a stop still ends it). */
  pause(ms: number): Promise<void> {
    if (ms <= 0 || this.stopping.aborted) return Promise.resolve();
    return this.wait(ms, false);
  }

  private wait(ms: number, wakeable: boolean): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (wakeable) this.wake = null;
        this.stopping.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      if (wakeable) this.wake = done;
      this.stopping.addEventListener('abort', done, { once: true });
    });
  }
}
