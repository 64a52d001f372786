import { createHash, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { canonicalize } from '@ledger/event-store';

/** What a checkpoint vouches for: the chain head and Merkle root after the first `size` entries. */
export interface CheckpointBody {
  ledgerId: string;
  size: number;
  /** Hash of entry `size` (the genesis hash when size is 0), hex. */
  headHash: string;
  /** RFC 6962 root over the first `size` entries, hex. */
  merkleRoot: string;
  /** ISO 8601 UTC time of signing. */
  time: string;
  keyId: string;
}

export interface SignedCheckpoint extends CheckpointBody {
  /** Base64 Ed25519 signature over the UTF-8 bytes of `checkpointPayload(body)`. */
  signature: string;
}

export interface SigningKey {
  keyId: string;
  publicKeyPem: string;
  privateKeyPem: string;
  createdAt: string;
}

export interface PublicKeyRecord {
  keyId: string;
  publicKeyPem: string;
  createdAt: string;
  /** A checkpoint whose time is after this was not signed while the key was in service. */
  retiredAt?: string | null;
}

/** Domain separation: these signed bytes can never be mistaken for another message under the same key. */
export const CHECKPOINT_CONTEXT = 'supply-ledger/checkpoint/v1';

/** The exact signed bytes (as a string): RFC 8785 JSON of the body plus the context tag. */
export function checkpointPayload(body: CheckpointBody): string {
  return canonicalize({
    context: CHECKPOINT_CONTEXT,
    ledgerId: body.ledgerId,
    size: body.size,
    headHash: body.headHash,
    merkleRoot: body.merkleRoot,
    time: body.time,
    keyId: body.keyId,
  });
}

export function signCheckpoint(body: Omit<CheckpointBody, 'keyId'>, key: SigningKey): SignedCheckpoint {
  const full: CheckpointBody = {
    ledgerId: body.ledgerId,
    size: body.size,
    headHash: body.headHash,
    merkleRoot: body.merkleRoot,
    time: body.time,
    keyId: key.keyId,
  };
  const signature = sign(null, Buffer.from(checkpointPayload(full), 'utf8'), key.privateKeyPem);
  return { ...full, signature: signature.toString('base64') };
}

/** True when `signature` is a valid Ed25519 signature of the checkpoint's payload under this key. */
export function verifyCheckpointSignature(checkpoint: SignedCheckpoint, publicKeyPem: string): boolean {
  try {
    const key = createPublicKey(publicKeyPem);
    if (key.asymmetricKeyType !== 'ed25519') return false;
    const payload = Buffer.from(checkpointPayload(checkpoint), 'utf8');
    return verify(null, payload, key, Buffer.from(checkpoint.signature, 'base64'));
  } catch {
    return false;
  }
}

export function generateSigningKey(createdAt: string): SigningKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return {
    keyId: keyIdOf(publicKeyPem),
    publicKeyPem,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    createdAt,
  };
}

/** `ed25519:` + SHA-256 hex of the key's DER SubjectPublicKeyInfo: the same key always has the same id. */
export function keyIdOf(publicKeyPem: string): string {
  const key = createPublicKey(publicKeyPem);
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new TypeError(`expected an Ed25519 public key, got ${key.asymmetricKeyType ?? 'unknown'}`);
  }
  const der = key.export({ type: 'spki', format: 'der' });
  return `ed25519:${createHash('sha256').update(der).digest('hex')}`;
}
