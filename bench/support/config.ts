export interface Timing {
  warmupMs: number;
  measureMs: number;
}

export interface BenchConfig {
  /** The server to create the bench database on (its own database is only used to create and drop). */
  serverUrl: string;
  timing: Timing;
  /** Size of the ledger read in the read phase. */
  events: number;
}

const DEFAULT_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const WARMUP_MS = 1_000;

export function readConfig(env: NodeJS.ProcessEnv): BenchConfig {
  return {
    serverUrl: env['DATABASE_URL'] || DEFAULT_SERVER_URL,
    timing: { warmupMs: WARMUP_MS, measureMs: positiveNumber(env, 'BENCH_SECONDS', 5) * 1_000 },
    events: Math.round(positiveNumber(env, 'BENCH_EVENTS', 1_000_000)),
  };
}

function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, not ${raw}`);
  return value;
}
