export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface UntilOptions {
  /** What is awaited, for the error when it does not come. */
  what?: string;
  /** Default 20 s: generous, since it only bounds how long a failing test takes to say so. */
  timeoutMs?: number;
  /** How often the condition is checked (default 20 ms). */
  everyMs?: number;
}

/** Resolves once `condition` holds; throws when it has not within the timeout. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  { what = 'a condition', timeoutMs = 20_000, everyMs = 20 }: UntilOptions = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}
