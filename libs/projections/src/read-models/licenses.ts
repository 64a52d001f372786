/**
 * Export licenses judged by the ledger's only clock: the recordedAt of the events applied.
 *
 * Instants are kept as canonical ISO strings (`toISOString()`: `YYYY-MM-DDTHH:mm:ss.sssZ`), which sort as
 * they happen, so following the clock costs a string comparison per event, not a date parse: recordedAt
 * arrives in that form from the projector, and anything else is parsed once into it.
 */
export type License = {
  licenseId: string;
  sku: string;
  validUntil: string | null;
  /** The canonical instant it expires at; null: never; '': always (an unreadable validUntil, as in the domain). */
  expires: string | null;
  revoked: boolean;
};

const T = 84;
const Z = 90;

/** `text` as a canonical instant, or undefined when it is not a readable one within years 0000-9999. */
export function canonicalInstant(text: string): string | undefined {
  if (text.length === 24 && text.charCodeAt(10) === T && text.charCodeAt(23) === Z) return text;
  const time = Date.parse(text);
  if (!Number.isFinite(time)) return undefined;
  const iso = new Date(time).toISOString();
  return iso.length === 24 ? iso : undefined;
}

export function expiryOf(validUntil: string | null): string | null {
  if (validUntil === null) return null;
  const instant = canonicalInstant(validUntil);
  if (instant !== undefined) return instant;
  const time = Date.parse(validUntil);
  // Beyond year 9999 is never in practice; before year 0 is always past.
  return Number.isFinite(time) && time > 0 ? null : '';
}

/** Granted, not revoked, and the clock (null before any event) is before its expiry: isLicenseActive's rule. */
export function isActive(license: License, clock: string | null): boolean {
  if (license.revoked || license.expires === '') return false;
  return license.expires === null || clock === null || clock < license.expires;
}

/** The validUntil of the active license that lasts longest; null when none is active or one never expires. */
export function lastingValidUntil(licenses: readonly License[], clock: string | null): string | null {
  let lasting: License | undefined;
  for (const license of licenses) {
    if (!isActive(license, clock)) continue;
    if (license.expires === null) return null;
    if (lasting === undefined || license.expires > (lasting.expires as string)) lasting = license;
  }
  return lasting?.validUntil ?? null;
}

/** A min-heap of license expiries, by instant then license id. */
export type Expiry = { at: string; licenseId: string };

export function pushExpiry(heap: Expiry[], expiry: Expiry): void {
  heap.push(expiry);
  let at = heap.length - 1;
  while (at > 0) {
    const parent = (at - 1) >>> 1;
    if (!earlier(expiry, heap[parent] as Expiry)) break;
    heap[at] = heap[parent] as Expiry;
    at = parent;
  }
  heap[at] = expiry;
}

/** Removes and returns the earliest expiry if it is due at `clock`. */
export function popDue(heap: Expiry[], clock: string): Expiry | undefined {
  const top = heap[0];
  if (top === undefined || top.at > clock) return undefined;
  const last = heap.pop() as Expiry;
  if (heap.length === 0) return top;
  let at = 0;
  for (;;) {
    const left = 2 * at + 1;
    if (left >= heap.length) break;
    const right = left + 1;
    const child = right < heap.length && earlier(heap[right] as Expiry, heap[left] as Expiry) ? right : left;
    if (!earlier(heap[child] as Expiry, last)) break;
    heap[at] = heap[child] as Expiry;
    at = child;
  }
  heap[at] = last;
  return top;
}

function earlier(a: Expiry, b: Expiry): boolean {
  return a.at < b.at || (a.at === b.at && a.licenseId < b.licenseId);
}
