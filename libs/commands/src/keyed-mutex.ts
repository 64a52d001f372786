/** In-process mutual exclusion per key; several keys are always taken in sorted order, so never deadlock. */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async lock(keys: Iterable<string>): Promise<() => void> {
    const releases: (() => void)[] = [];
    for (const key of [...new Set(keys)].sort()) releases.push(await this.lockOne(key));
    return () => releases.reverse().forEach((release) => release());
  }

  private async lockOne(key: string): Promise<() => void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    await previous;
    return () => {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
  }
}
