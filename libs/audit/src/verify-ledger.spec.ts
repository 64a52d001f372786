import { canonicalize, genesisHash, sealEntry, sha256Hex, type SealedEvent } from '@ledger/event-store';
import { generateSigningKey, signCheckpoint, type SignedCheckpoint, type SigningKey } from './checkpoint.js';
import { merkleRoot } from './merkle.js';
import { verifyLedger, type AuditEntry, type AuditReport } from './verify-ledger.js';

const LEDGER = '6f1c1f8e-4b7a-4d0e-9d5c-2f1f2a3b4c5d';
const OTHER_LEDGER = '0b5e2a44-93c1-4f7e-8a60-7d2e9c1b3f58';
const NOW = '2026-11-29T22:00:00.000Z';

function event(n: number, note = ''): SealedEvent {
  return {
    eventId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    streamId: `order-${n % 3}`,
    streamVersion: Math.floor(n / 3) + 1,
    type: 'OrderPlaced',
    schemaVersion: 1,
    data: { orderId: `o-${n}`, quantity: n * 10, note },
    metadata: { actor: 'alice', role: 'admin', correlationId: 'c', causationId: 'c', commandId: 'c' },
    recordedAt: '2026-11-29T10:00:00.000Z',
  };
}

interface Row {
  position: number;
  entry: string;
  hash: string;
}

function chain(length: number, ledgerId = LEDGER, from: Row[] = [], edit = (n: number) => event(n)): Row[] {
  const rows = [...from];
  let prev = rows.length > 0 ? rows[rows.length - 1]!.hash : genesisHash(ledgerId);
  for (let position = rows.length + 1; position <= length; position++) {
    const sealed = sealEntry(position, prev, edit(position));
    rows.push({ position, ...sealed });
    prev = sealed.hash;
  }
  return rows;
}

function checkpoint(
  rows: readonly Row[],
  size: number,
  key: SigningKey,
  ledgerId = LEDGER,
): SignedCheckpoint {
  return signCheckpoint(
    {
      ledgerId,
      size,
      headHash: size === 0 ? genesisHash(ledgerId) : rows[size - 1]!.hash,
      merkleRoot: merkleRoot(rows.slice(0, size).map((row) => row.entry)),
      time: NOW,
    },
    key,
  );
}

async function* stream(items: readonly AuditEntry[]): AsyncGenerator<AuditEntry> {
  for (const item of items) yield await Promise.resolve(item);
}

/** Entries as a bundle gives them: numbered by line, no stored hash. */
const asBundle = (entries: readonly (string | Uint8Array)[]) =>
  entries.map((entry, i) => ({ position: i + 1, entry }));

const key = generateSigningKey('2026-11-01T00:00:00.000Z');
const intruder = generateSigningKey('2026-11-01T00:00:00.000Z');
const trustedKeys = [{ keyId: key.keyId, publicKeyPem: key.publicKeyPem, createdAt: key.createdAt }];

function verify(
  items: readonly AuditEntry[],
  options: { checkpoints?: SignedCheckpoint[]; saved?: SignedCheckpoint[]; keys?: typeof trustedKeys } = {},
): Promise<AuditReport> {
  return verifyLedger({
    ledgerId: LEDGER,
    entries: stream(items),
    checkpoints: options.checkpoints ?? [],
    trustedKeys: options.keys ?? trustedKeys,
    ...(options.saved ? { savedCheckpoints: options.saved } : {}),
  });
}

const rows = chain(30);
const entries = rows.map((row) => row.entry);
const checkpoints = [checkpoint(rows, 10, key), checkpoint(rows, 20, key), checkpoint(rows, 30, key)];

/** Entry n with its event's data changed, everything else (position, prevHash) as it was. */
function editedEntry(n: number): string {
  const parsed = JSON.parse(entries[n - 1]!) as { event: { data: Record<string, unknown> } };
  parsed.event.data.quantity = 999_999;
  return canonicalize(parsed);
}

const exactFault = (report: AuditReport) => [report.ok, report.fault?.code, report.fault?.position];

describe('verifyLedger', () => {
  it('accepts the clean ledger and every checkpoint, with the head and the Merkle root', async () => {
    const report = await verify(asBundle(entries), { checkpoints, saved: [checkpoints[1]!] });
    expect(report).toEqual({
      ok: true,
      ledgerId: LEDGER,
      size: 30,
      headHash: rows[29]!.hash,
      merkleRoot: merkleRoot(entries),
      verifiedThrough: 30,
      checkpointsVerified: 4,
    });
  });

  it('accepts an empty ledger and a checkpoint of size 0', async () => {
    const report = await verify([], { checkpoints: [checkpoint([], 0, key)] });
    expect(report).toMatchObject({
      ok: true,
      size: 0,
      headHash: genesisHash(LEDGER),
      checkpointsVerified: 1,
    });
  });

  it('accepts canonical entries that the fast scan leaves to the reference (escapes, fractions, non-ASCII keys)', async () => {
    const unusual = chain(5, LEDGER, [], (n) => ({
      ...event(n),
      data: { größe: 1.5, ключ: 'line\nbreak \u0001 \u2028', nested: { '10': -0.25, '9': 1e21 } },
    }));
    const report = await verify(asBundle(unusual.map((row) => Buffer.from(row.entry))));
    expect(report).toMatchObject({ ok: true, size: 5, headHash: unusual[4]!.hash });
  });

  it('reports entry bytes that are not UTF-8 (ENTRY_UNREADABLE)', async () => {
    const bytes = entries.map((entry) => Buffer.from(entry));
    bytes[2] = Buffer.concat([bytes[2]!.subarray(0, 20), Buffer.from([0xff]), bytes[2]!.subarray(21)]);
    expect(exactFault(await verify(asBundle(bytes)))).toEqual([false, 'ENTRY_UNREADABLE', 3]);
  });

  it('reports progress every progressEvery entries read', async () => {
    const seen: number[] = [];
    await verifyLedger({
      ledgerId: LEDGER,
      entries: stream(asBundle(entries)),
      checkpoints: [],
      trustedKeys,
      progressEvery: 10,
      onProgress: (read) => seen.push(read),
    });
    expect(seen).toEqual([10, 20, 30]);
  });

  it('accepts stored hashes that match', async () => {
    expect((await verify(rows)).ok).toBe(true);
  });

  it('reports an edited event at its own position (EVENT_EDITED), not at the link that broke', async () => {
    const tampered = [...entries];
    tampered[14] = editedEntry(15);
    const report = await verify(asBundle(tampered), { checkpoints });
    expect(exactFault(report)).toEqual([false, 'EVENT_EDITED', 15]);
    expect(report).toMatchObject({ verifiedThrough: 14, size: 14, headHash: rows[13]!.hash });
    expect(report.merkleRoot).toBe(merkleRoot(entries.slice(0, 14)));
  });

  it('reports an edited event at its position when the store kept the old hash (EVENT_EDITED)', async () => {
    const tampered = rows.map((row) => ({ ...row }));
    tampered[14]!.entry = editedEntry(15);
    expect(exactFault(await verify(tampered))).toEqual([false, 'EVENT_EDITED', 15]);
  });

  it('reports a stored hash that alone was changed (ENTRY_HASH_MISMATCH)', async () => {
    const tampered = rows.map((row) => ({ ...row }));
    tampered[14]!.hash = sha256Hex('something else');
    expect(exactFault(await verify(tampered))).toEqual([false, 'ENTRY_HASH_MISMATCH', 15]);
  });

  it('reports an edited first event at position 1', async () => {
    const tampered = [...entries];
    tampered[0] = editedEntry(1);
    expect(exactFault(await verify(asBundle(tampered)))).toEqual([false, 'EVENT_EDITED', 1]);
  });

  it('catches an edit re-sealed through the end of the chain only by the checkpoint after it', async () => {
    const rewritten = chain(30, LEDGER, rows.slice(0, 14), (n) =>
      n === 15 ? event(n, 'rewritten') : event(n),
    );
    const report = await verify(asBundle(rewritten.map((row) => row.entry)), { checkpoints });
    expect(exactFault(report)).toEqual([false, 'CHECKPOINT_MISMATCH', 11]);
    expect(report.fault?.detail).toContain('11..20');
    expect(report).toMatchObject({ verifiedThrough: 10, checkpointsVerified: 1, headHash: rows[9]!.hash });
  });

  it('passes an edit re-sealed through the end when no checkpoint covers it (what checkpoints are for)', async () => {
    const rewritten = chain(30, LEDGER, rows.slice(0, 14), (n) =>
      n === 15 ? event(n, 'rewritten') : event(n),
    );
    expect((await verify(asBundle(rewritten.map((row) => row.entry)))).ok).toBe(true);
  });

  it('reports a deleted event at the missing position (EVENT_DELETED)', async () => {
    const tampered = entries.filter((_, i) => i !== 14);
    expect(exactFault(await verify(asBundle(tampered), { checkpoints }))).toEqual([
      false,
      'EVENT_DELETED',
      15,
    ]);
  });

  it('reports a deleted last event against the checkpoint of that size as a truncated tail', async () => {
    const report = await verify(asBundle(entries.slice(0, 29)), { checkpoints });
    expect(exactFault(report)).toEqual([false, 'TRUNCATED_TAIL', 30]);
  });

  it('reports rows missing from the store at the first missing position (EVENT_DELETED)', async () => {
    const tampered = rows.filter((row) => row.position !== 15 && row.position !== 16);
    const report = await verify(tampered);
    expect(exactFault(report)).toEqual([false, 'EVENT_DELETED', 15]);
    expect(report.fault?.detail).toContain('15..16');
  });

  it('reports an inserted event at the position it took (EVENT_INSERTED)', async () => {
    const forged = sealEntry(15, rows[13]!.hash, event(99, 'forged')).entry;
    const tampered = [...entries.slice(0, 14), forged, ...entries.slice(14)];
    expect(exactFault(await verify(asBundle(tampered), { checkpoints }))).toEqual([
      false,
      'EVENT_INSERTED',
      15,
    ]);
  });

  it('reports an inserted event that does not even link at the position it took (EVENT_INSERTED)', async () => {
    const forged = sealEntry(15, sha256Hex('nowhere'), event(99, 'forged')).entry;
    const tampered = [...entries.slice(0, 14), forged, ...entries.slice(14)];
    expect(exactFault(await verify(asBundle(tampered)))).toEqual([false, 'EVENT_INSERTED', 15]);
  });

  it('reports two swapped events at the first of the two (EVENTS_SWAPPED)', async () => {
    const tampered = [...entries];
    [tampered[14], tampered[15]] = [tampered[15]!, tampered[14]!];
    expect(exactFault(await verify(asBundle(tampered), { checkpoints }))).toEqual([
      false,
      'EVENTS_SWAPPED',
      15,
    ]);
  });

  it('reports a tail cut against a checkpoint saved earlier (TRUNCATED_TAIL)', async () => {
    const report = await verify(asBundle(entries.slice(0, 25)), {
      checkpoints: checkpoints.slice(0, 2),
      saved: [checkpoints[2]!],
    });
    expect(exactFault(report)).toEqual([false, 'TRUNCATED_TAIL', 26]);
    expect(report).toMatchObject({ verifiedThrough: 25, size: 25, checkpointsVerified: 2 });
  });

  it('reports a history rewritten and re-signed with another key (CHECKPOINT_KEY_UNTRUSTED)', async () => {
    const rewritten = chain(30, LEDGER, rows.slice(0, 14), (n) =>
      n === 15 ? event(n, 'rewritten') : event(n),
    );
    const resigned = [
      checkpoints[0]!,
      checkpoint(rewritten, 20, intruder),
      checkpoint(rewritten, 30, intruder),
    ];
    const report = await verify(asBundle(rewritten.map((row) => row.entry)), { checkpoints: resigned });
    expect(exactFault(report)).toEqual([false, 'CHECKPOINT_KEY_UNTRUSTED', 11]);
    expect(report.fault?.detail).toContain(intruder.keyId);
  });

  it('reports a re-signed history that the bundle vouches for against a saved checkpoint (HISTORY_REWRITTEN)', async () => {
    const rewritten = chain(30, LEDGER, rows.slice(0, 14), (n) =>
      n === 15 ? event(n, 'rewritten') : event(n),
    );
    const resigned = [
      checkpoints[0]!,
      checkpoint(rewritten, 20, intruder),
      checkpoint(rewritten, 30, intruder),
    ];
    const bundleKeys = [
      ...trustedKeys,
      { keyId: intruder.keyId, publicKeyPem: intruder.publicKeyPem, createdAt: NOW },
    ];
    const report = await verify(asBundle(rewritten.map((row) => row.entry)), {
      checkpoints: resigned,
      keys: bundleKeys,
      saved: [checkpoints[1]!],
    });
    expect(exactFault(report)).toEqual([false, 'HISTORY_REWRITTEN', 11]);
  });

  it('reports a saved checkpoint that the recomputed ledger contradicts (HISTORY_REWRITTEN)', async () => {
    const rewritten = chain(30, LEDGER, rows.slice(0, 14), (n) =>
      n === 15 ? event(n, 'rewritten') : event(n),
    );
    const report = await verify(asBundle(rewritten.map((row) => row.entry)), { saved: [checkpoints[2]!] });
    expect(exactFault(report)).toEqual([false, 'HISTORY_REWRITTEN', 1]);
  });

  it('reports a bundle from another ledger at position 1 (LEDGER_MISMATCH)', async () => {
    const foreign = chain(30, OTHER_LEDGER);
    const report = await verify(asBundle(foreign.map((row) => row.entry)));
    expect(exactFault(report)).toEqual([false, 'LEDGER_MISMATCH', 1]);
    expect(report).toMatchObject({ verifiedThrough: 0, size: 0, headHash: genesisHash(LEDGER) });
  });

  it('reports a checkpoint of another ledger (LEDGER_MISMATCH)', async () => {
    const foreign = checkpoint(chain(10, OTHER_LEDGER), 10, key, OTHER_LEDGER);
    expect(exactFault(await verify(asBundle(entries), { saved: [foreign] }))).toEqual([
      false,
      'LEDGER_MISMATCH',
      1,
    ]);
  });

  it('reports a checkpoint whose signature does not verify (CHECKPOINT_SIGNATURE_INVALID)', async () => {
    const forged = { ...checkpoints[1]!, time: '2026-11-29T23:00:00.000Z' };
    const report = await verify(asBundle(entries), { checkpoints: [checkpoints[0]!, forged] });
    expect(exactFault(report)).toEqual([false, 'CHECKPOINT_SIGNATURE_INVALID', 11]);
  });

  it('refuses a checkpoint dated after its key was retired (CHECKPOINT_KEY_UNTRUSTED)', async () => {
    const retired = [{ ...trustedKeys[0]!, retiredAt: '2026-11-29T21:00:00.000Z' }];
    const report = await verify(asBundle(entries), { checkpoints, keys: retired });
    expect(exactFault(report)).toEqual([false, 'CHECKPOINT_KEY_UNTRUSTED', 1]);
    expect(report.fault?.detail).toContain('retired');
  });

  it('reports entry bytes that are not canonical (ENTRY_NOT_CANONICAL)', async () => {
    const tampered = [...entries];
    tampered[4] = tampered[4]!.replace('{"event":', '{ "event":');
    expect(exactFault(await verify(asBundle(tampered)))).toEqual([false, 'ENTRY_NOT_CANONICAL', 5]);
  });

  it('reports entry bytes that are not an entry (ENTRY_UNREADABLE)', async () => {
    const tampered = [...entries];
    tampered[4] = '{"event":{},"position":5';
    expect(exactFault(await verify(asBundle(tampered)))).toEqual([false, 'ENTRY_UNREADABLE', 5]);
    tampered[4] = canonicalize({ position: 5, prevHash: 'x' });
    expect(exactFault(await verify(asBundle(tampered)))).toEqual([false, 'ENTRY_UNREADABLE', 5]);
  });

  it('reports a malformed checkpoint before reading anything (CHECKPOINT_MALFORMED)', async () => {
    const report = await verify(asBundle(entries), { checkpoints: [{ ...checkpoints[0]!, size: 2.5 }] });
    expect(exactFault(report)).toEqual([false, 'CHECKPOINT_MALFORMED', 1]);
  });
});
