import { createHash, createPublicKey } from 'node:crypto';
import {
  checkpointPayload,
  generateSigningKey,
  keyIdOf,
  signCheckpoint,
  verifyCheckpointSignature,
} from './checkpoint.js';

const BODY = {
  ledgerId: '6f1c1f8e-4b7a-4d0e-9d5c-2f1f2a3b4c5d',
  size: 42,
  headHash: 'a'.repeat(64),
  merkleRoot: 'b'.repeat(64),
  time: '2026-11-29T22:00:00.000Z',
};

describe('signed checkpoints', () => {
  const key = generateSigningKey('2026-11-29T00:00:00.000Z');

  it('sign and verify round-trip under the signing key', () => {
    const checkpoint = signCheckpoint(BODY, key);
    expect(checkpoint).toMatchObject({ ...BODY, keyId: key.keyId });
    expect(Buffer.from(checkpoint.signature, 'base64')).toHaveLength(64);
    expect(verifyCheckpointSignature(checkpoint, key.publicKeyPem)).toBe(true);
  });

  it('fail under another key', () => {
    const other = generateSigningKey('2026-11-29T00:00:00.000Z');
    expect(verifyCheckpointSignature(signCheckpoint(BODY, key), other.publicKeyPem)).toBe(false);
  });

  it('fail when any signed field changes', () => {
    const checkpoint = signCheckpoint(BODY, key);
    for (const change of [
      { size: 43 },
      { headHash: 'c'.repeat(64) },
      { merkleRoot: 'c'.repeat(64) },
      { ledgerId: 'another' },
      { time: '2026-11-29T22:00:00.001Z' },
      { keyId: 'ed25519:' + '0'.repeat(64) },
    ]) {
      expect(verifyCheckpointSignature({ ...checkpoint, ...change }, key.publicKeyPem)).toBe(false);
    }
  });

  it('fail, without throwing, on a garbled signature or key', () => {
    const checkpoint = signCheckpoint(BODY, key);
    expect(verifyCheckpointSignature({ ...checkpoint, signature: 'not base64!' }, key.publicKeyPem)).toBe(
      false,
    );
    expect(verifyCheckpointSignature(checkpoint, 'not a pem')).toBe(false);
  });

  it('sign the canonical payload with its context tag, keys in RFC 8785 order', () => {
    expect(checkpointPayload({ ...BODY, keyId: 'ed25519:k' })).toBe(
      '{"context":"supply-ledger/checkpoint/v1","headHash":"' +
        'a'.repeat(64) +
        '","keyId":"ed25519:k","ledgerId":"6f1c1f8e-4b7a-4d0e-9d5c-2f1f2a3b4c5d","merkleRoot":"' +
        'b'.repeat(64) +
        '","size":42,"time":"2026-11-29T22:00:00.000Z"}',
    );
  });

  it('name a key by the SHA-256 of its SubjectPublicKeyInfo', () => {
    const der = createPublicKey(key.publicKeyPem).export({ type: 'spki', format: 'der' });
    expect(key.keyId).toBe(`ed25519:${createHash('sha256').update(der).digest('hex')}`);
    expect(keyIdOf(key.publicKeyPem)).toBe(key.keyId);
  });
});
