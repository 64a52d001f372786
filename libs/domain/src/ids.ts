/** Identifier and amount formats of PRODUCT.md; the patterns carry their own length limit, for reuse in DTOs. */

export const MAX_ID_LENGTH = 64;
export const MIN_QUANTITY = 1;
export const MAX_QUANTITY = 100_000_000;
export const MAX_TEXT_LENGTH = 500;

/** A lower-case slug: `bytedance`, `china-mobile`. */
export const FIRM_ID_PATTERN = /^(?=.{1,64}$)[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Upper-case, single separators: `H200`, `H20`, `ASCEND-910C`. */
export const SKU_PATTERN = /^(?=.{1,64}$)[A-Z0-9]+(?:[-.][A-Z0-9]+)*$/;

/** Every other client-chosen id (order, approval, batch, license, shipment, purchase, supply). */
export const REFERENCE_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

/** An ISO 8601 date-time with an explicit zone, so that it names one instant everywhere. */
export const INSTANT_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

export function isFirmId(value: unknown): value is string {
  return typeof value === 'string' && FIRM_ID_PATTERN.test(value);
}

export function isSku(value: unknown): value is string {
  return typeof value === 'string' && SKU_PATTERN.test(value);
}

export function isReferenceId(value: unknown): value is string {
  return typeof value === 'string' && REFERENCE_ID_PATTERN.test(value);
}

export function isQuantity(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= MIN_QUANTITY && (value as number) <= MAX_QUANTITY;
}

export function isDomesticPerUnit(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** Free text (names, reasons, destinations): not blank, bounded. */
export function isText(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0 && value.length <= MAX_TEXT_LENGTH;
}

export function isInstant(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = INSTANT_PATTERN.exec(value);
  if (!match) return false;
  const [, year, month, day] = match.map(Number);
  return isCalendarDate(year ?? 0, month ?? 0, day ?? 0);
}

// Date.parse rolls 2026-02-30 over to March; a typo in a licence's expiry must be refused instead.
function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
