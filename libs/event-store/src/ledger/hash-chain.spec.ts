import {
  ChainVerifier,
  genesisHash,
  parseEntry,
  sealEntry,
  sha256Hex,
  type SealedEvent,
  type StoredEntry,
} from './hash-chain.js';

const LEDGER = '6f1c1f8e-4b7a-4d0e-9d5c-2f1f2a3b4c5d';

function event(n: number): SealedEvent {
  return {
    eventId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    streamId: `order-${n % 3}`,
    streamVersion: Math.floor(n / 3) + 1,
    type: 'OrderPlaced',
    schemaVersion: 1,
    data: { orderId: `o-${n}`, quantity: n * 10 },
    metadata: { actor: 'alice', role: 'admin', correlationId: 'c', causationId: 'c', commandId: 'c' },
    recordedAt: '2026-11-29T10:00:00.000Z',
  };
}

function chain(length: number): StoredEntry[] {
  const entries: StoredEntry[] = [];
  let prev = genesisHash(LEDGER);
  for (let position = 1; position <= length; position++) {
    const sealed = sealEntry(position, prev, event(position));
    entries.push({ position, hash: sealed.hash, entry: sealed.entry });
    prev = sealed.hash;
  }
  return entries;
}

function verify(entries: StoredEntry[]) {
  const verifier = new ChainVerifier(LEDGER);
  for (const entry of entries) {
    const fault = verifier.check(entry);
    if (fault) return fault;
  }
  return null;
}

describe('the hash chain', () => {
  it('hashes exactly the stored entry bytes', () => {
    const sealed = sealEntry(1, genesisHash(LEDGER), event(1));
    expect(sealed.hash).toBe(sha256Hex(sealed.entry));
    expect(parseEntry(sealed.entry)).toEqual({ position: 1, prevHash: genesisHash(LEDGER), event: event(1) });
  });

  it('binds the ledger id into genesis, so two ledgers never share a chain', () => {
    expect(genesisHash(LEDGER)).not.toBe(genesisHash('00000000-0000-4000-8000-000000000000'));
    expect(verify(chain(3).map((e) => e))).toBeNull();
    const foreign = new ChainVerifier('00000000-0000-4000-8000-000000000000');
    expect(foreign.check(chain(1)[0]!)?.code).toBe('BROKEN_LINK');
  });

  it('verifies an intact chain from genesis', () => {
    const verifier = new ChainVerifier(LEDGER);
    for (const entry of chain(50)) expect(verifier.check(entry)).toBeNull();
    expect(verifier.verifiedThrough).toBe(50);
  });

  describe('when an entry is tampered with', () => {
    it('reports an edited payload at its position as HASH_MISMATCH', () => {
      const entries = chain(10);
      entries[6] = { ...entries[6]!, entry: entries[6]!.entry.replace('"quantity":70', '"quantity":71') };
      expect(verify(entries)).toMatchObject({ position: 7, code: 'HASH_MISMATCH' });
    });

    it('reports an edit whose own hash was recomputed as BROKEN_LINK at the next position', () => {
      const entries = chain(10);
      const edited = entries[6]!.entry.replace('"quantity":70', '"quantity":71');
      entries[6] = { ...entries[6]!, entry: edited, hash: sha256Hex(edited) };
      expect(verify(entries)).toMatchObject({ position: 8, code: 'BROKEN_LINK' });
    });

    it('reports a deleted entry as POSITION_GAP', () => {
      const entries = chain(10);
      entries.splice(4, 1);
      expect(verify(entries)).toMatchObject({ position: 5, code: 'POSITION_GAP' });
    });

    it('reports two swapped entries', () => {
      const entries = chain(10);
      const swapped = [...entries.slice(0, 3), entries[4]!, entries[3]!, ...entries.slice(5)];
      expect(verify(swapped)).toMatchObject({ position: 4, code: 'POSITION_GAP' });
    });

    it('reports entry bytes that are not canonical even when the hash matches them', () => {
      const entries = chain(3);
      const spaced = entries[1]!.entry.replace('{"event":', '{ "event":');
      entries[1] = { ...entries[1]!, entry: spaced, hash: sha256Hex(spaced) };
      expect(verify(entries)).toMatchObject({ position: 2, code: 'ENTRY_NOT_CANONICAL' });
    });

    it('reports an entry claiming another position', () => {
      const entries = chain(3);
      const moved = entries[1]!.entry.replace('"position":2', '"position":9');
      entries[1] = { ...entries[1]!, entry: moved, hash: sha256Hex(moved) };
      expect(verify(entries)).toMatchObject({ position: 2, code: 'POSITION_MISMATCH' });
    });

    it('reports bytes that are not JSON', () => {
      const entries = chain(2);
      entries[0] = { ...entries[0]!, entry: '{broken' };
      expect(verify(entries)).toMatchObject({ position: 1, code: 'ENTRY_UNREADABLE' });
    });
  });
});
