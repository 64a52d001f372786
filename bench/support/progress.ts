const started = performance.now();

/** Progress goes to stderr so that stdout holds only the report. */
export function progress(message: string): void {
  const seconds = ((performance.now() - started) / 1_000).toFixed(1).padStart(6);
  process.stderr.write(`[${seconds}s] ${message}\n`);
}

export function collectGarbage(): void {
  global.gc?.();
}
