import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKey, keyIdOf, type SigningKey, type SigningKeyRing } from '@ledger/audit';
import { ConfigError } from '../config/config.js';

/** The key is managed outside the service (LEDGER_SIGNING_KEY): rotate it there and restart. */
export class KeyRotationExternalError extends Error {
  override readonly name = 'KeyRotationExternalError';
  constructor() {
    super('the signing key comes from LEDGER_SIGNING_KEY: set a new key there and restart to rotate');
  }
}

/**
 * LEDGER_SIGNING_KEY when set (PEM text or a path; every instance of one ledger must share it), else a key
 * generated on first use and kept in `dataDir`/signing-keys.json (mode 0600). Never the database.
 */
export function resolveSigningKeys(
  signingKey: string | null,
  dataDir: string,
  clock: () => Date,
  announce: (message: string) => void,
): SigningKeyRing {
  return signingKey
    ? new ExternalKeyRing(signingKey, clock)
    : new FileKeyRing(join(dataDir, 'signing-keys.json'), clock, announce);
}

/** A key from LEDGER_SIGNING_KEY; its first publication in audit_keys retires the keys before it. */
export class ExternalKeyRing implements SigningKeyRing {
  private readonly key: SigningKey;

  constructor(setting: string, clock: () => Date) {
    const fromFile = !setting.startsWith('-----BEGIN');
    let pem: string;
    try {
      pem = fromFile ? readFileSync(setting, 'utf8') : setting;
    } catch (error) {
      throw new ConfigError([
        `LEDGER_SIGNING_KEY names a file that cannot be read: ${(error as Error).message}`,
      ]);
    }
    this.key = signingKeyOf(pem, clock().toISOString(), (problem) => {
      throw new ConfigError([`LEDGER_SIGNING_KEY${fromFile ? ` (${setting})` : ''} ${problem}`]);
    });
  }

  current(): SigningKey {
    return this.key;
  }

  rotate(): SigningKey {
    throw new KeyRotationExternalError();
  }
}

/**
 * One key in a file of the data directory, generated when first needed (so a service that never signs
 * writes nothing). Rotation replaces it: the old private key is gone, its public key stays published.
 */
export class FileKeyRing implements SigningKeyRing {
  private key: SigningKey | null = null;

  constructor(
    private readonly file: string,
    private readonly clock: () => Date,
    private readonly announce: (message: string) => void,
  ) {}

  current(): SigningKey {
    this.key ??= existsSync(this.file) ? this.load() : this.write(generateSigningKey(this.now()));
    return this.key;
  }

  rotate(createdAt: string): SigningKey {
    this.key = this.write(generateSigningKey(createdAt));
    return this.key;
  }

  private load(): SigningKey {
    if ((statSync(this.file).mode & 0o077) !== 0) {
      this.announce(
        `warning: ${this.file} holds the ledger's private signing key; make it readable by the owner only`,
      );
    }
    const stored = JSON.parse(readFileSync(this.file, 'utf8')) as SigningKey;
    return signingKeyOf(stored.privateKeyPem, stored.createdAt, (problem) => {
      throw new ConfigError([`${this.file} ${problem}`]);
    });
  }

  /** Written whole to a temporary file and renamed over the old one: a crash leaves one key or the other. */
  private write(key: SigningKey): SigningKey {
    const dir = join(this.file, '..');
    mkdirSync(dir, { recursive: true });
    // A leftover temporary file would keep its own mode: start from none.
    rmSync(`${this.file}.tmp`, { force: true });
    writeFileSync(`${this.file}.tmp`, JSON.stringify(key, null, 2), { mode: 0o600 });
    renameSync(`${this.file}.tmp`, this.file);
    this.announce(`Signing checkpoints with ${key.keyId} (private key in ${this.file})`);
    return key;
  }

  private now(): string {
    return this.clock().toISOString();
  }
}

function signingKeyOf(pem: string, createdAt: string, fail: (problem: string) => never): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    return fail('is not a PEM private key');
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    return fail(`is a ${privateKey.asymmetricKeyType ?? 'unknown'} key; checkpoints are signed with Ed25519`);
  }
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  return {
    keyId: keyIdOf(publicKeyPem),
    publicKeyPem,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    createdAt,
  };
}
