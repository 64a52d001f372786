import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROLES, type ApiKey, type Role } from '../../config/config.js';

export interface Principal {
  name: string;
  role: Role;
}

/** The keys the service accepts: LEDGER_API_KEYS, or keys generated once and kept in the data directory. */
export function resolveApiKeys(
  configured: ApiKey[] | null,
  dataDir: string,
  announce: (message: string) => void,
): ApiKey[] {
  if (configured) return configured;
  const file = join(dataDir, 'api-keys.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as ApiKey[];
  const generated = ROLES.map((role) => ({
    name: role,
    role,
    secret: randomBytes(24).toString('base64url'),
  }));
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(generated, null, 2), { mode: 0o600 });
  announce(
    [
      `Generated one API key per role (kept in ${file}; shown only this once):`,
      ...generated.map((key) => `  ${key.role.padEnd(8)} Authorization: Bearer ${key.secret}`),
    ].join('\n'),
  );
  return generated;
}

/** Finds the key a bearer secret belongs to, comparing in constant time. */
export class ApiKeyRing {
  private readonly digests: { principal: Principal; digest: Buffer }[];

  constructor(keys: ApiKey[]) {
    this.digests = keys.map(({ name, role, secret }) => ({
      principal: { name, role },
      digest: sha256(secret),
    }));
  }

  authenticate(secret: string): Principal | null {
    const digest = sha256(secret);
    let found: Principal | null = null;
    for (const key of this.digests) if (timingSafeEqual(key.digest, digest)) found = key.principal;
    return found;
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
