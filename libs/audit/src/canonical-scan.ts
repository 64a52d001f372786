/**
 * A fast, conservative test that entry bytes are already in RFC 8785 form, without building the value.
 * It accepts only a strict subset it can judge byte by byte: no whitespace, strings without `\u` escapes
 * (other escapes only as JSON.stringify writes them), object keys in plain ASCII in strictly increasing
 * order, integers of at most 15 digits. Anything else returns null and the caller decides the slow way
 * (JSON.parse + canonicalize); so this may say "not sure", never "canonical" for bytes that are not.
 */
export interface ScannedEntry {
  position: number;
  prevHash: string;
}

/**
 * Builds the scanner. It is self-contained, using nothing but JavaScript's and node's globals: the
 * hashing worker threads run its source (`canonicalScanner.toString()`), so that one scanner judges the
 * entries on every thread.
 */
export function canonicalScanner(): (bytes: Uint8Array) => ScannedEntry | null {
  const QUOTE = 0x22;
  const BACKSLASH = 0x5c;
  const COMMA = 0x2c;
  const COLON = 0x3a;
  const MINUS = 0x2d;
  const ZERO = 0x30;
  const NINE = 0x39;

  const TRUE = [0x74, 0x72, 0x75, 0x65];
  const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
  const NULL = [0x6e, 0x75, 0x6c, 0x6c];

  /** Escapes JSON.stringify writes with a letter: \" \\ \b \f \n \r \t. `\/` and `\u` are never canonical here. */
  const SHORT_ESCAPE = new Uint8Array(256);
  for (const c of [QUOTE, BACKSLASH, 0x62, 0x66, 0x6e, 0x72, 0x74]) SHORT_ESCAPE[c] = 1;

  /** Bytes a string holds as they are, with nothing to check: printable ASCII but `"` and `\\`. */
  const PLAIN = new Uint8Array(256);
  for (let c = 0x20; c < 0x80; c++) PLAIN[c] = c === QUOTE || c === BACKSLASH ? 0 : 1;

  /**
   * Whether all four bytes of a word are PLAIN, with the classic bit tests: a high bit set (not ASCII);
   * a byte below 0x20 (the subtraction borrows); a byte equal to `"` or `\\` (a zero byte after the xor).
   */
  function plainWord(word: number): boolean {
    const quote = word ^ 0x22222222;
    const backslash = word ^ 0x5c5c5c5c;
    const special =
      word |
      ((word - 0x20202020) | 0) |
      (((quote - 0x01010101) | 0) & ~quote) |
      (((backslash - 0x01010101) | 0) & ~backslash);
    return (special & 0x80808080) === 0;
  }

  const BAIL = -1;

  const EVENT = Buffer.from('event');
  const POSITION = Buffer.from('position');
  const PREV_HASH = Buffer.from('prevHash');

  /** One per process, reset per entry: scanning a million entries allocates nothing per entry. */
  class Scanner {
    private b: Uint8Array = new Uint8Array(0);
    /** The bytes' ArrayBuffer as 32-bit words, and where the bytes start in it: strings are skipped a word at a time. */
    private words: Int32Array<ArrayBufferLike> = new Int32Array(0);
    private base = 0;
    /** Where the top-level values start and end; -1 when absent. */
    eventStart = -1;
    positionStart = -1;
    positionEnd = -1;
    prevHashStart = -1;
    prevHashEnd = -1;
    topKeys = 0;

    reset(bytes: Uint8Array): void {
      this.b = bytes;
      // Entries read from a file share one ArrayBuffer per block: one view serves them all.
      if (this.words.buffer !== bytes.buffer) {
        this.words = new Int32Array(bytes.buffer, 0, bytes.buffer.byteLength >> 2);
      }
      this.base = bytes.byteOffset;
      this.eventStart = this.positionStart = this.positionEnd = this.prevHashStart = this.prevHashEnd = -1;
      this.topKeys = 0;
    }

    private top(keyStart: number, keyEnd: number, valueStart: number, valueEnd: number): void {
      this.topKeys += 1;
      if (same(this.b, keyStart, keyEnd, EVENT)) this.eventStart = valueStart;
      else if (same(this.b, keyStart, keyEnd, POSITION))
        [this.positionStart, this.positionEnd] = [valueStart, valueEnd];
      else if (same(this.b, keyStart, keyEnd, PREV_HASH))
        [this.prevHashStart, this.prevHashEnd] = [valueStart, valueEnd];
    }

    value(i: number, depth: number): number {
      const c = this.b[i];
      if (c === 0x7b) return this.object(i + 1, depth);
      if (c === 0x5b) return this.array(i + 1, depth);
      if (c === QUOTE) return this.string(i + 1, false);
      if (c === MINUS || (c !== undefined && c >= ZERO && c <= NINE)) return this.integer(i);
      if (c === 0x74) return this.literal(i, TRUE);
      if (c === 0x66) return this.literal(i, FALSE);
      if (c === 0x6e) return this.literal(i, NULL);
      return BAIL;
    }

    private object(i: number, depth: number): number {
      const b = this.b;
      if (b[i] === 0x7d) return i + 1;
      let previousStart = -1;
      let previousEnd = -1;
      for (;;) {
        if (b[i] !== QUOTE) return BAIL;
        const keyStart = i + 1;
        const keyEnd = this.string(keyStart, true);
        if (keyEnd === BAIL) return BAIL;
        // Strictly increasing keys: sorted as RFC 8785 asks (ASCII bytes sort as UTF-16 units), no duplicate.
        if (previousStart >= 0 && compare(b, previousStart, previousEnd, keyStart, keyEnd - 1) >= 0)
          return BAIL;
        previousStart = keyStart;
        previousEnd = keyEnd - 1;
        if (b[keyEnd] !== COLON) return BAIL;
        const valueStart = keyEnd + 1;
        const valueEnd = this.value(valueStart, depth + 1);
        if (valueEnd === BAIL) return BAIL;
        if (depth === 0) this.top(keyStart, keyEnd - 1, valueStart, valueEnd);
        i = valueEnd;
        if (b[i] === 0x7d) return i + 1;
        if (b[i] !== COMMA) return BAIL;
        i += 1;
      }
    }

    private array(i: number, depth: number): number {
      const b = this.b;
      if (b[i] === 0x5d) return i + 1;
      for (;;) {
        i = this.value(i, depth + 1);
        if (i === BAIL) return BAIL;
        if (b[i] === 0x5d) return i + 1;
        if (b[i] !== COMMA) return BAIL;
        i += 1;
      }
    }

    /** From just after the opening quote; returns the index after the closing quote. */
    private string(i: number, key: boolean): number {
      const b = this.b;
      const n = b.length;
      for (;;) {
        i = this.skipPlain(i);
        if (i >= n) return BAIL;
        const c = b[i]!;
        if (c === QUOTE) return i + 1;
        if (c < 0x20) return BAIL;
        if (c === BACKSLASH) {
          if (key || SHORT_ESCAPE[b[i + 1] ?? 0] !== 1) return BAIL;
          i += 2;
          continue;
        }
        if (key) return BAIL;
        const length = utf8Sequence(b, i);
        if (length === 0) return BAIL;
        i += length;
      }
    }

    /** The index of the first byte from i on that a string cannot hold as it is (or the end). */
    private skipPlain(i: number): number {
      const b = this.b;
      const n = b.length;
      const words = this.words;
      const base = this.base;
      while (i < n && ((base + i) & 3) !== 0) {
        if (PLAIN[b[i]!] !== 1) return i;
        i += 1;
      }
      // Most string bytes are plain: four of them per test.
      while (i + 4 <= n && plainWord(words[(base + i) >> 2]!)) i += 4;
      while (i < n && PLAIN[b[i]!] === 1) i += 1;
      return i;
    }

    private integer(i: number): number {
      const b = this.b;
      const start = i;
      if (b[i] === MINUS) i += 1;
      const first = i;
      if (b[i] === ZERO) {
        i += 1;
        if (first !== start) return BAIL; // -0 is written 0
      } else {
        while (i < b.length && b[i]! >= ZERO && b[i]! <= NINE) i += 1;
        if (i === first) return BAIL;
      }
      const next = b[i];
      // Fractions, exponents and digits after a leading zero: the slow path judges them.
      if (
        next === 0x2e ||
        next === 0x65 ||
        next === 0x45 ||
        (next !== undefined && next >= ZERO && next <= NINE)
      ) {
        return BAIL;
      }
      return i - first > 15 ? BAIL : i;
    }

    private literal(i: number, word: readonly number[]): number {
      for (let k = 0; k < word.length; k++) if (this.b[i + k] !== word[k]) return BAIL;
      return i + word.length;
    }
  }

  /** Length of the well-formed UTF-8 sequence at i (no surrogates, no overlongs), or 0. */
  function utf8Sequence(b: Uint8Array, i: number): number {
    const c = b[i]!;
    const c1 = b[i + 1] ?? 0;
    if (c >= 0xc2 && c <= 0xdf) return isContinuation(c1) ? 2 : 0;
    const c2 = b[i + 2] ?? 0;
    if (c >= 0xe0 && c <= 0xef) {
      const low = c === 0xe0 ? 0xa0 : 0x80;
      const high = c === 0xed ? 0x9f : 0xbf;
      return c1 >= low && c1 <= high && isContinuation(c2) ? 3 : 0;
    }
    if (c >= 0xf0 && c <= 0xf4) {
      const low = c === 0xf0 ? 0x90 : 0x80;
      const high = c === 0xf4 ? 0x8f : 0xbf;
      return c1 >= low && c1 <= high && isContinuation(c2) && isContinuation(b[i + 3] ?? 0) ? 4 : 0;
    }
    return 0;
  }

  function isContinuation(c: number): boolean {
    return c >= 0x80 && c <= 0xbf;
  }

  function compare(b: Uint8Array, aStart: number, aEnd: number, bStart: number, bEnd: number): number {
    const n = Math.min(aEnd - aStart, bEnd - bStart);
    for (let k = 0; k < n; k++) {
      const d = b[aStart + k]! - b[bStart + k]!;
      if (d !== 0) return d;
    }
    return aEnd - aStart - (bEnd - bStart);
  }

  function same(b: Uint8Array, start: number, end: number, word: Uint8Array): boolean {
    if (end - start !== word.length) return false;
    for (let k = 0; k < word.length; k++) if (b[start + k] !== word[k]) return false;
    return true;
  }

  /** Lowercase hex digits; a look-up, not range tests: digits and letters come in no predictable order. */
  const LOWER_HEX = new Uint8Array(256);
  for (const c of Buffer.from('0123456789abcdef')) LOWER_HEX[c] = 1;

  function isLowerHex(b: Uint8Array, start: number, end: number): boolean {
    let all = 1;
    for (let i = start; i < end; i++) all &= LOWER_HEX[b[i]!]!;
    return all === 1;
  }

  function latin1(b: Uint8Array, start: number, end: number): string {
    return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('latin1');
  }

  const scanner = new Scanner();

  return function scanCanonicalEntry(bytes: Uint8Array): ScannedEntry | null {
    if (bytes[0] !== 0x7b) return null;
    scanner.reset(bytes);
    if (scanner.value(0, 0) !== bytes.length) return null;
    const { eventStart, positionStart, positionEnd, prevHashStart, prevHashEnd } = scanner;
    if (scanner.topKeys !== 3 || eventStart < 0 || positionStart < 0 || prevHashStart < 0) return null;
    if (bytes[eventStart] !== 0x7b || bytes[positionStart] === MINUS || bytes[prevHashStart] !== QUOTE)
      return null;
    // The quoted hash: 64 lowercase hex digits between the quotes.
    if (prevHashEnd - prevHashStart !== 66 || !isLowerHex(bytes, prevHashStart + 1, prevHashEnd - 1))
      return null;
    let position = 0;
    for (let i = positionStart; i < positionEnd; i++) position = position * 10 + (bytes[i]! - ZERO);
    if (position < 1) return null;
    return { position, prevHash: latin1(bytes, prevHashStart + 1, prevHashEnd - 1) };
  };
}

/**
 * The entry's position and prevHash when `bytes` are certainly a canonical `{event, position, prevHash}`
 * entry (event an object, position a positive integer, prevHash lowercase SHA-256 hex); null when unsure.
 */
export const scanCanonicalEntry = canonicalScanner();
