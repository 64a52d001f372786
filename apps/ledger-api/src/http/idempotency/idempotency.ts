import { createHash } from 'node:crypto';
import { canonicalize } from '@ledger/event-store';
import { problem, ProblemError } from '../problem-details.js';

const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

/** The Idempotency-Key header, when sent; a malformed one is a 400. */
export function idempotencyKeyOf(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (typeof header === 'string' && KEY_FORMAT.test(header)) return header;
  throw new ProblemError(
    problem(400, 'VALIDATION_FAILED', 'Idempotency-Key must be 1-255 visible ASCII characters', {
      errors: [{ field: 'Idempotency-Key', messages: ['1-255 visible ASCII characters'] }],
    }),
  );
}

/** What was asked, byte for byte in canonical form: the same key with another request is a reuse. */
export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(canonicalize({ method, path, body: body ?? {} }))
    .digest('hex');
}

/** The id the command's event will carry: the same for every retry of one key by one caller. */
export function eventIdFor(actor: string, key: string): string {
  const hex = createHash('sha256').update(`supply-ledger/idempotency\n${actor}\n${key}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function keyReused(key: string): ProblemError {
  return new ProblemError(
    problem(
      409,
      'IDEMPOTENCY_KEY_REUSED',
      `Idempotency-Key ${key} was already used with a different request`,
    ),
  );
}
