import { canonicalize, genesisHash, sealEntry } from '@ledger/event-store';
import { scanCanonicalEntry } from './canonical-scan.js';

const PREV = genesisHash('scan');
const bytes = (text: string) => Buffer.from(text, 'utf8');

/** The reference: what the fast scan may claim only when this agrees. */
function canonical(text: string): boolean {
  try {
    return canonicalize(JSON.parse(text)) === text;
  } catch {
    return false;
  }
}

function entryWith(data: unknown): string {
  return `{"event":{"data":${data as string}},"position":7,"prevHash":"${PREV}"}`;
}

/** A small deterministic generator (no Math.random: failures must replay). */
function* values(seed: number, count: number): Generator<unknown> {
  let state = seed;
  const next = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const atoms: unknown[] = [
    0,
    -1,
    7,
    1e21,
    1e-7,
    0.5,
    -0.25,
    123456789012345,
    1234567890123456,
    2 ** 53,
    true,
    false,
    null,
    '',
    'plain',
    'quote"back\\slash',
    'tab\tline\nfeed',
    '\u0001ctl',
    '\u007f',
    'é',
    '✓',
    '😀',
    '\u2028',
    '/',
  ];
  const value = (depth: number): unknown => {
    const r = next();
    if (depth > 3 || r < 0.5) return atoms[Math.floor(next() * atoms.length)];
    if (r < 0.75) return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1));
    const keys = ['a', 'b', 'B', 'aa', '10', '9', 'é', 'key"q', 'z'];
    const object: Record<string, unknown> = {};
    for (let k = Math.floor(next() * 5); k > 0; k--)
      object[keys[Math.floor(next() * keys.length)]!] = value(depth + 1);
    return object;
  };
  for (let i = 0; i < count; i++) yield value(0);
}

describe('scanCanonicalEntry', () => {
  it('reads position and prevHash from a sealed entry', () => {
    const { entry } = sealEntry(42, PREV, {
      eventId: 'e',
      streamId: 's',
      streamVersion: 1,
      type: 'T',
      schemaVersion: 1,
      data: { quantity: 240, note: 'Müller ✓', nested: { list: [1, 'two', null, true] } },
      metadata: { actor: 'a', role: 'r', correlationId: 'c', causationId: 'c', commandId: 'c' },
      recordedAt: '2026-11-29T10:00:00.000Z',
    });
    expect(scanCanonicalEntry(bytes(entry))).toEqual({ position: 42, prevHash: PREV });
  });

  it.each([
    ['whitespace', `{"event":{}, "position":1,"prevHash":"${PREV}"}`],
    ['keys out of order', `{"position":1,"event":{},"prevHash":"${PREV}"}`],
    ['nested keys out of order', entryWith('{"b":1,"a":2}')],
    ['a duplicate key', entryWith('{"a":1,"a":2}')],
    ['an escaped slash', entryWith('"a\\/b"')],
    ['a unicode escape', entryWith('"\\u0041"')],
    ['a fraction', entryWith('1.0')],
    ['an exponent', entryWith('1e3')],
    ['minus zero', entryWith('-0')],
    ['a leading zero', entryWith('007')],
    ['a 16-digit integer', entryWith('1234567890123456')],
    ['a raw control character', entryWith('"a\u0001b"')],
    ['trailing bytes', `{"event":{},"position":1,"prevHash":"${PREV}"}\r`],
    ['a fourth key', `{"event":{},"extra":1,"position":1,"prevHash":"${PREV}"}`],
    ['position 0', `{"event":{},"position":0,"prevHash":"${PREV}"}`],
    ['an uppercase hash', `{"event":{},"position":1,"prevHash":"${PREV.toUpperCase()}"}`],
    ['an event that is not an object', `{"event":[],"position":1,"prevHash":"${PREV}"}`],
  ])('is unsure of %s', (_, text) => {
    expect(scanCanonicalEntry(bytes(text))).toBeNull();
  });

  it('is unsure of malformed UTF-8 (an encoded surrogate, an overlong form, a cut sequence)', () => {
    for (const bad of [
      [0xed, 0xa0, 0x80],
      [0xc0, 0xaf],
      [0xe2, 0x9c],
    ]) {
      const text = bytes(entryWith('"x"'));
      const at = text.indexOf('"x"') + 1;
      const tampered = Buffer.concat([text.subarray(0, at), Buffer.from(bad), text.subarray(at + 1)]);
      expect(scanCanonicalEntry(tampered)).toBeNull();
    }
  });

  it('never calls bytes canonical that the reference does not, over 5,000 generated values', () => {
    let accepted = 0;
    for (const value of values(20261129, 5_000)) {
      const data = JSON.stringify(value);
      for (const text of [entryWith(canonicalize(value)), entryWith(data)]) {
        const scanned = scanCanonicalEntry(bytes(text));
        if (scanned) {
          accepted += 1;
          expect(canonical(text)).toBe(true);
          expect(scanned).toEqual({ position: 7, prevHash: PREV });
        }
      }
    }
    expect(accepted).toBeGreaterThan(1_000);
  });
});
