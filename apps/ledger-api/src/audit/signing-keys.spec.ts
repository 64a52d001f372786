import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyIdOf } from '@ledger/audit';
import { ConfigError } from '../config/config.js';
import { KeyRotationExternalError, resolveSigningKeys } from './signing-keys.js';

const clock = () => new Date('2026-11-29T12:00:00.000Z');
const ed25519Pem = () =>
  generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

describe('signing keys', () => {
  let dir: string;
  const said: string[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-signing-keys-'));
    said.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const announce = (message: string) => said.push(message);

  describe('kept in the data directory', () => {
    it('generates a key on first use only, in a file only its owner can read, and keeps it', () => {
      const ring = resolveSigningKeys(null, dir, clock, announce);
      const file = join(dir, 'signing-keys.json');
      expect(() => statSync(file)).toThrow(); // nothing written until a key is needed
      const key = ring.current();
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(key.keyId).toBe(keyIdOf(key.publicKeyPem));
      expect(key.createdAt).toBe('2026-11-29T12:00:00.000Z');
      expect(resolveSigningKeys(null, dir, clock, announce).current()).toEqual(key);
    });

    it('rotates to a new key and forgets the old private key', () => {
      const ring = resolveSigningKeys(null, dir, clock, announce);
      const old = ring.current();
      const next = ring.rotate('2026-11-29T13:00:00.000Z');
      expect(next.keyId).not.toBe(old.keyId);
      expect(ring.current()).toEqual(next);
      expect(readFileSync(join(dir, 'signing-keys.json'), 'utf8')).not.toContain(old.privateKeyPem);
    });

    it('warns when the key file is readable by others', () => {
      resolveSigningKeys(null, dir, clock, announce).current();
      chmodSync(join(dir, 'signing-keys.json'), 0o644);
      said.length = 0;
      resolveSigningKeys(null, dir, clock, announce).current();
      expect(said).toEqual([expect.stringMatching(/readable by the owner only/)]);
    });
  });

  describe('from LEDGER_SIGNING_KEY', () => {
    it('takes PEM text or the path of a PEM file, and refuses to rotate', () => {
      const pem = ed25519Pem();
      const file = join(dir, 'key.pem');
      writeFileSync(file, pem);
      const fromText = resolveSigningKeys(pem, dir, clock, announce);
      const fromPath = resolveSigningKeys(file, dir, clock, announce);
      expect(fromText.current().keyId).toBe(fromPath.current().keyId);
      expect(() => fromText.rotate('2026-11-29T13:00:00.000Z')).toThrow(KeyRotationExternalError);
      expect(() => statSync(join(dir, 'signing-keys.json'))).toThrow(); // nothing of it on disk
    });

    it('refuses a missing file, a non-key and a key that is not Ed25519, without echoing it', () => {
      const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString();
      const problems = [join(dir, 'missing.pem'), '-----BEGIN PRIVATE KEY-----\nnope\n', rsa].map(
        (setting) => {
          try {
            resolveSigningKeys(setting, dir, clock, announce);
            return 'accepted';
          } catch (error) {
            expect(error).toBeInstanceOf(ConfigError);
            expect((error as Error).message).not.toContain('nope');
            return (error as ConfigError).problems[0];
          }
        },
      );
      expect(problems).toEqual([
        expect.stringMatching(/^LEDGER_SIGNING_KEY names a file that cannot be read/),
        'LEDGER_SIGNING_KEY is not a PEM private key',
        'LEDGER_SIGNING_KEY is a rsa key; checkpoints are signed with Ed25519',
      ]);
    });
  });
});
