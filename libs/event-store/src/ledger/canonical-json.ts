export class CanonicalJsonError extends Error {
  override readonly name = 'CanonicalJsonError';
}

/**
 * RFC 8785 (JSON Canonicalization Scheme). ECMAScript's JSON.stringify already serialises numbers and
 * strings exactly as the RFC asks, so what remains is sorting object keys by UTF-16 code units and
 * refusing what I-JSON forbids (non-finite numbers, lone surrogates) instead of silently mangling it.
 */
export function canonicalize(value: unknown): string {
  switch (typeof value) {
    case 'string':
      if (LONE_SURROGATE.test(value)) throw new CanonicalJsonError('string holds a lone surrogate');
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(`number ${value} has no JSON form`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return `[${value.map(canonicalElement).join(',')}]`;
      if (!isPlainObject(value)) {
        throw new CanonicalJsonError(`${value.constructor?.name ?? 'object'} is not plain JSON`);
      }
      return canonicalObject(value as Record<string, unknown>);
    default:
      throw new CanonicalJsonError(`${typeof value} has no JSON form`);
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function canonicalElement(element: unknown): string {
  if (element === undefined) throw new CanonicalJsonError('array holds undefined');
  return canonicalize(element);
}

function canonicalObject(object: Record<string, unknown>): string {
  // Properties whose value is undefined are absent, as with JSON.stringify.
  const keys = Object.keys(object)
    .filter((key) => object[key] !== undefined)
    .sort(); // the default sort compares UTF-16 code units, which is what RFC 8785 section 3.2.3 asks
  return `{${keys.map((key) => `${canonicalize(key)}:${canonicalize(object[key])}`).join(',')}}`;
}

function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
