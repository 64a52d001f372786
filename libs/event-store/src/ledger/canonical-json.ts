export class CanonicalJsonError extends Error {
  override readonly name = 'CanonicalJsonError';
}

/**
 * RFC 8785 (JSON Canonicalization Scheme). ECMAScript's JSON.stringify already serialises numbers and
 * strings exactly as the RFC asks, so what remains is sorting object keys by UTF-16 code units and
 * refusing what I-JSON forbids (non-finite numbers, lone surrogates) instead of silently mangling it.
 *
 * The sequencer canonicalises every event it stamps, so this is written for speed: one string built by
 * concatenation, no intermediate arrays of parts.
 */
export function canonicalize(value: unknown): string {
  switch (typeof value) {
    case 'string':
      if (!value.isWellFormed()) throw new CanonicalJsonError('string holds a lone surrogate');
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(`number ${value} has no JSON form`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return canonicalArray(value);
      if (!isPlainObject(value)) {
        throw new CanonicalJsonError(`${value.constructor?.name ?? 'object'} is not plain JSON`);
      }
      return canonicalObject(value as Record<string, unknown>);
    default:
      throw new CanonicalJsonError(`${typeof value} has no JSON form`);
  }
}

function canonicalArray(array: readonly unknown[]): string {
  let out = '[';
  for (let i = 0; i < array.length; i++) {
    const element = array[i];
    if (element === undefined) throw new CanonicalJsonError('array holds undefined');
    out += i === 0 ? canonicalize(element) : `,${canonicalize(element)}`;
  }
  return `${out}]`;
}

function canonicalObject(object: Record<string, unknown>): string {
  // The default sort compares UTF-16 code units, which is what RFC 8785 section 3.2.3 asks.
  const keys = Object.keys(object).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const member = object[key];
    // Properties whose value is undefined are absent, as with JSON.stringify.
    if (member === undefined) continue;
    out += `${first ? '' : ','}${canonicalize(key)}:${canonicalize(member)}`;
    first = false;
  }
  return `${out}}`;
}

function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
