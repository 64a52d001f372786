export type Role = 'admin' | 'service' | 'auditor';
export const ROLES: readonly Role[] = ['admin', 'service', 'auditor'];

export interface ApiKey {
  name: string;
  role: Role;
  secret: string;
}

export interface LedgerConfig {
  port: number;
  database: {
    /** A PostgreSQL server; absent: the embedded database in `dataDir`. */
    url?: string;
    dataDir: string;
  };
  /** From LEDGER_API_KEYS; null when unset (keys are then generated on first start). */
  apiKeys: ApiKey[] | null;
  /** Commands per minute per API key (LEDGER_RATE_LIMIT); 0 turns the limit off. */
  commandsPerMinute: number;
  /** Signed checkpoints (loadConfig always sets it); absent: signed on demand only, keys in `dataDir`. */
  audit?: AuditConfig;
}

export interface AuditConfig {
  /** LEDGER_CHECKPOINT_INTERVAL_MS: sign this often when the ledger grew (default 60 s); 0: only on demand. */
  checkpointIntervalMs: number;
  /** LEDGER_CHECKPOINT_FULL_VERIFY_MS: re-verify from genesis at least this often (default 1 h); 0: always. */
  fullVerifyIntervalMs: number;
  /**
   * LEDGER_SIGNING_KEY: an Ed25519 private key as PKCS#8 PEM text, or the path of a file holding one.
   * Null: a key generated on first use and kept in `dataDir`/signing-keys.json.
   */
  signingKey: string | null;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Reads and checks the environment once, at boot; every bad variable is listed, not just the first. */
export function loadConfig(env: Record<string, string | undefined>): LedgerConfig {
  const problems: string[] = [];
  const port = parsePort(env.PORT, problems);
  const url = parseDatabaseUrl(env.DATABASE_URL, problems);
  const dataDir = env.LEDGER_DATA_DIR?.trim() || './data';
  const apiKeys = parseApiKeys(env.LEDGER_API_KEYS, problems);
  const commandsPerMinute = parseRateLimit(env.LEDGER_RATE_LIMIT, problems);
  const audit = parseAudit(env, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return { port, database: { ...(url ? { url } : {}), dataDir }, apiKeys, commandsPerMinute, audit };
}

function parseAudit(env: Record<string, string | undefined>, problems: string[]): AuditConfig {
  const milliseconds = (name: string, fallback: number): number => {
    const value = env[name];
    if (value === undefined || value.trim() === '') return fallback;
    const ms = Number(value);
    if (!Number.isSafeInteger(ms) || ms < 0) {
      problems.push(`${name} must be a whole number of milliseconds, got "${value}"`);
    }
    return ms;
  };
  // The key itself is read and checked when the audit module starts; never echo it here.
  const signingKey = env.LEDGER_SIGNING_KEY?.trim() || null;
  return {
    checkpointIntervalMs: milliseconds('LEDGER_CHECKPOINT_INTERVAL_MS', 60_000),
    fullVerifyIntervalMs: milliseconds('LEDGER_CHECKPOINT_FULL_VERIFY_MS', 3_600_000),
    signingKey,
  };
}

function parsePort(value: string | undefined, problems: string[]): number {
  if (value === undefined || value.trim() === '') return 3000;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    problems.push(`PORT must be an integer from 0 to 65535, got "${value}"`);
  }
  return port;
}

function parseRateLimit(value: string | undefined, problems: string[]): number {
  if (value === undefined || value.trim() === '') return 6_000;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 0) {
    problems.push(
      `LEDGER_RATE_LIMIT must be a whole number of commands per minute (0: no limit), got "${value}"`,
    );
  }
  return limit;
}

function parseDatabaseUrl(value: string | undefined, problems: string[]): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  try {
    const url = new URL(value);
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
      problems.push(`DATABASE_URL must be a postgres:// URL, got the scheme "${url.protocol}"`);
    }
  } catch {
    problems.push('DATABASE_URL is not a URL');
  }
  return value;
}

function parseApiKeys(value: string | undefined, problems: string[]): ApiKey[] | null {
  if (value === undefined || value.trim() === '') return null;
  const keys: ApiKey[] = [];
  for (const [index, entry] of value.split(',').entries()) {
    const [name, role, ...rest] = entry.trim().split(':');
    const secret = rest.join(':');
    // Never echo a secret into an error message: name the entry by position and name only.
    const where = `LEDGER_API_KEYS entry ${index + 1}${name ? ` ("${name}")` : ''}`;
    if (!name || !role || !secret) {
      problems.push(`${where} must be name:role:secret`);
      continue;
    }
    if (!ROLES.includes(role as Role)) {
      problems.push(`${where} has role "${role}"; the roles are ${ROLES.join(', ')}`);
      continue;
    }
    if (secret.length < 16) problems.push(`${where} has a secret shorter than 16 characters`);
    keys.push({ name, role: role as Role, secret });
  }
  return keys;
}
