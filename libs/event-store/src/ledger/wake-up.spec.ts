import { WakeUp } from './wake-up.js';

describe('WakeUp', () => {
  const elapsed = async (sleeping: Promise<void>) => {
    const started = performance.now();
    await sleeping;
    return performance.now() - started;
  };

  it('cuts a sleep short when signalled', async () => {
    const wakeUp = new WakeUp(new AbortController().signal);
    const sleeping = wakeUp.sleep(60_000);
    setTimeout(() => wakeUp.signal(), 10);
    expect(await elapsed(sleeping)).toBeLessThan(1_000);
  });

  it('keeps a signal that came while nobody slept for the next sleep, once', async () => {
    const wakeUp = new WakeUp(new AbortController().signal);
    wakeUp.signal();
    expect(await elapsed(wakeUp.sleep(60_000))).toBeLessThan(50);
    expect(await elapsed(wakeUp.sleep(100))).toBeGreaterThanOrEqual(90);
  });

  it('does not cut a pause short when signalled, but a stop ends it', async () => {
    const stopping = new AbortController();
    const wakeUp = new WakeUp(stopping.signal);
    const pausing = wakeUp.pause(150);
    wakeUp.signal();
    expect(await elapsed(pausing)).toBeGreaterThanOrEqual(140);
    const stopped = wakeUp.pause(60_000);
    stopping.abort();
    expect(await elapsed(stopped)).toBeLessThan(1_000);
  });
});
