/**
 * The pairing rule: domestic units purchased by a firm ≥ domesticPerUnit × foreign units shipped to it.
 *
 * Compared exactly, in integers: the ratio is taken as the decimal it was written as (0.07 is 7/100, not
 * the double nearest to it), so 0.07 × 100 needs exactly 7 and 1.1 × 100 exactly 110, where floating
 * point gives 7.000000000000001 and 110.00000000000001 and would refuse. Domestic units are whole, so
 * the requirement is rounded up: at 0.5 one foreign unit needs one domestic unit, two need one; a ratio
 * like 0.3333 is 3333/10000, so 3 foreign units need 1 and 10,001 need 3,334.
 */

type Fraction = { numerator: bigint; denominator: bigint };

const DECIMAL = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/;

/** A finite number ≥ 0 as the exact fraction of its shortest decimal form. */
export function decimalFraction(value: number): Fraction {
  const match = DECIMAL.exec(String(value));
  if (!match || !Number.isFinite(value)) throw new RangeError(`not a finite number ≥ 0: ${value}`);
  const [, whole = '', fraction = '', exponent = '0'] = match;
  const scale = Number(exponent) - fraction.length;
  const digits = BigInt(whole + fraction);
  return scale >= 0
    ? { numerator: digits * 10n ** BigInt(scale), denominator: 1n }
    : { numerator: digits, denominator: 10n ** BigInt(-scale) };
}

function requiredUnits(domesticPerUnit: number, foreignUnits: number): bigint {
  const { numerator, denominator } = decimalFraction(domesticPerUnit);
  return ceilDivide(numerator * BigInt(foreignUnits), denominator);
}

/** The whole domestic units that `foreignUnits` require at `domesticPerUnit`. */
export function domesticRequired(domesticPerUnit: number, foreignUnits: number): number {
  return Number(requiredUnits(domesticPerUnit, foreignUnits));
}

export function meetsPairing(
  domesticPerUnit: number,
  domesticPurchased: number,
  foreignUnits: number,
): boolean {
  return BigInt(domesticPurchased) >= requiredUnits(domesticPerUnit, foreignUnits);
}

function ceilDivide(dividend: bigint, divisor: bigint): bigint {
  return (dividend + divisor - 1n) / divisor;
}
