import { decimalFraction, domesticRequired, meetsPairing } from './pairing.rule.js';

describe('the pairing rule', () => {
  describe('reading a ratio', () => {
    it.each([
      [0, 0n, 1n],
      [2, 2n, 1n],
      [0.5, 5n, 10n],
      [0.1, 1n, 10n],
      [0.07, 7n, 100n],
      [0.3333, 3333n, 10000n],
      [1e-7, 1n, 10_000_000n],
      [1.5e-7, 15n, 100_000_000n],
      [1e21, 10n ** 21n, 1n],
    ])('takes %p as %p / %p', (ratio, numerator, denominator) => {
      expect(decimalFraction(ratio)).toEqual({ numerator, denominator });
    });

    it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('refuses %p', (ratio) => {
      expect(() => decimalFraction(ratio)).toThrow(RangeError);
    });
  });

  describe('the domestic units required', () => {
    it.each([
      [0.5, 1, 1],
      [0.5, 2, 1],
      [0.5, 3, 2],
      [0.07, 100, 7],
      [0.14, 100, 14],
      [1.1, 100, 110],
      [0.3333, 10_000, 3_333],
      [0.3333, 10_001, 3_334],
      [0, 100_000_000, 0],
      [3, 100_000_000, 300_000_000],
    ])('at %p, %p foreign units need %p', (ratio, foreignUnits, required) => {
      expect(domesticRequired(ratio, foreignUnits)).toBe(required);
    });
  });

  describe('whether purchases meet it', () => {
    it('holds with exactly the units required', () => {
      expect(meetsPairing(0.28, 28, 100)).toBe(true);
    });

    it('fails one unit short', () => {
      expect(meetsPairing(0.28, 27, 100)).toBe(false);
    });

    it('always holds at ratio 0', () => {
      expect(meetsPairing(0, 0, 100_000_000)).toBe(true);
    });
  });
});
