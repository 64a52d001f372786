import { createHash } from 'node:crypto';
import type { JsonObject } from '../json.js';
import type { EventMetadata, StreamLink } from '../types.js';
import { canonicalize } from './canonical-json.js';

/** The event as it is sealed into the ledger: every field a reader is shown, nothing derived. */
export interface SealedEvent {
  eventId: string;
  streamId: string;
  streamVersion: number;
  type: string;
  schemaVersion: number;
  data: JsonObject;
  metadata: EventMetadata;
  /** ISO 8601, UTC, millisecond precision. */
  recordedAt: string;
  /** Further streams the event belongs to; absent when none. */
  links?: StreamLink[];
}

/** One ledger entry. Its RFC 8785 form is the exact byte string that is hashed and stored. */
export interface LedgerEntry {
  position: number;
  prevHash: string;
  event: SealedEvent;
}

export interface SealedEntry {
  /** Canonical JSON of the entry: the stored bytes. */
  entry: string;
  /** SHA-256 of `entry` (UTF-8), hex. */
  hash: string;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The `prevHash` of position 1. Binding the ledger id makes two ledgers' chains differ from the start. */
export function genesisHash(ledgerId: string): string {
  return sha256Hex(canonicalize({ genesis: 'supply-ledger/v1', ledgerId }));
}

export function sealEntry(position: number, prevHash: string, event: SealedEvent): SealedEntry {
  const entry = canonicalize({ position, prevHash, event } satisfies LedgerEntry);
  return { entry, hash: sha256Hex(entry) };
}

export function parseEntry(entry: string): LedgerEntry {
  return JSON.parse(entry) as LedgerEntry;
}

export type ChainFaultCode =
  | 'ENTRY_UNREADABLE'
  | 'ENTRY_NOT_CANONICAL'
  | 'POSITION_GAP'
  | 'POSITION_MISMATCH'
  | 'HASH_MISMATCH'
  | 'BROKEN_LINK';

export interface ChainFault {
  position: number;
  code: ChainFaultCode;
  detail: string;
}

export interface StoredEntry {
  position: number;
  hash: string;
  entry: string;
}

/**
 * Checks stored entries one after another from genesis: positions dense from 1, each entry canonical,
 * its stored hash the SHA-256 of its bytes, and each entry naming the previous entry's hash.
 */
export class ChainVerifier {
  private expectedPosition = 1;
  private previousHash: string;

  constructor(ledgerId: string) {
    this.previousHash = genesisHash(ledgerId);
  }

  get verifiedThrough(): number {
    return this.expectedPosition - 1;
  }

  get headHash(): string {
    return this.previousHash;
  }

  /** Returns the first fault found in this entry, or null when it extends the chain. */
  check(stored: StoredEntry): ChainFault | null {
    const fault = (code: ChainFaultCode, detail: string): ChainFault => ({
      position: this.expectedPosition,
      code,
      detail,
    });
    if (stored.position !== this.expectedPosition) {
      return fault('POSITION_GAP', `expected position ${this.expectedPosition}, found ${stored.position}`);
    }
    let parsed: LedgerEntry;
    try {
      parsed = parseEntry(stored.entry);
      if (canonicalize(parsed) !== stored.entry)
        return fault('ENTRY_NOT_CANONICAL', 'entry bytes are not RFC 8785');
    } catch (error) {
      return fault('ENTRY_UNREADABLE', (error as Error).message);
    }
    if (parsed.position !== stored.position) {
      return fault('POSITION_MISMATCH', `entry says position ${parsed.position}`);
    }
    const actualHash = sha256Hex(stored.entry);
    if (actualHash !== stored.hash) {
      return fault('HASH_MISMATCH', `stored hash ${stored.hash}, entry hashes to ${actualHash}`);
    }
    if (parsed.prevHash !== this.previousHash) {
      return fault(
        'BROKEN_LINK',
        `entry links to ${parsed.prevHash}, previous entry is ${this.previousHash}`,
      );
    }
    this.previousHash = stored.hash;
    this.expectedPosition += 1;
    return null;
  }
}
