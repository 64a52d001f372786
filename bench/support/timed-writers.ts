import type { Timing } from './config.js';
import { perSecond, summarize, type LatencySummary } from './stats.js';

export interface WriterTurn {
  writer: number;
  iteration: number;
  /** False during the warm-up: the operation is neither counted nor timed. */
  measured: boolean;
}

export interface TimedRun {
  operations: number;
  perSecond: number;
  latency: LatencySummary;
  /** Every measured operation's latency in ms, to combine runs. */
  samples: number[];
}

/** Several runs of the same configuration as one: operations and samples pooled over their time. */
export function combineRuns(runs: readonly TimedRun[], measureMsEach: number): TimedRun {
  const samples = runs.flatMap((run) => run.samples);
  return {
    operations: samples.length,
    perSecond: perSecond(samples.length, measureMsEach * runs.length),
    latency: summarize(samples),
    samples,
  };
}

interface Window {
  from: number;
  until: number;
  /** Set when a writer fails, so the others stop instead of running out the clock. */
  failed: AbortController;
}

/**
 * Runs `writers` concurrent loops of `operation` through a warm-up and a measured window. Operations that
 * start inside the window are counted and timed.
 */
export async function runTimedWriters(
  writers: number,
  timing: Timing,
  operation: (turn: WriterTurn) => Promise<void>,
): Promise<TimedRun> {
  const from = performance.now() + timing.warmupMs;
  const window: Window = { from, until: from + timing.measureMs, failed: new AbortController() };
  const latencies = Array.from({ length: writers }, (): number[] => []);
  const outcomes = await Promise.allSettled(
    latencies.map((own, writer) => runWriter(writer, window, operation, own)),
  );
  const failure = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failure) throw failure.reason;
  const all = latencies.flat();
  return {
    operations: all.length,
    perSecond: perSecond(all.length, timing.measureMs),
    latency: summarize(all),
    samples: all,
  };
}

async function runWriter(
  writer: number,
  window: Window,
  operation: (turn: WriterTurn) => Promise<void>,
  latencies: number[],
): Promise<void> {
  try {
    for (let iteration = 0; performance.now() < window.until && !window.failed.signal.aborted; iteration++) {
      const started = performance.now();
      const measured = started >= window.from;
      await operation({ writer, iteration, measured });
      if (measured) latencies.push(performance.now() - started);
    }
  } catch (error) {
    window.failed.abort();
    throw error;
  }
}
