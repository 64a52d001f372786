import { isDomesticPerUnit, isFirmId, isInstant, isQuantity, isReferenceId, isSku, isText } from './ids.js';

const id64 = 'a'.repeat(64);
const id65 = 'a'.repeat(65);

describe('identifier and amount formats', () => {
  describe('a firm id', () => {
    it.each(['bytedance', 'china-mobile', 'firm-2', id64])('accepts %p', (value) => {
      expect(isFirmId(value)).toBe(true);
    });
    it.each(['ByteDance', 'byte_dance', '-bytedance', 'byte--dance', 'bytedance-', '', id65, 42])(
      'refuses %p',
      (value) => {
        expect(isFirmId(value)).toBe(false);
      },
    );
  });

  describe('a sku', () => {
    it.each(['H200', 'H20', 'ASCEND-910C', 'MI308.X', id64.toUpperCase()])('accepts %p', (value) => {
      expect(isSku(value)).toBe(true);
    });
    it.each(['h200', 'ASCEND 910C', 'ASCEND--910C', '-H200', 'H200.', '', id65.toUpperCase(), null])(
      'refuses %p',
      (value) => {
        expect(isSku(value)).toBe(false);
      },
    );
  });

  describe('any other id', () => {
    it.each(['o-1', 'ORDER.2026:0001', 'a_b', 'x', id64])('accepts %p', (value) => {
      expect(isReferenceId(value)).toBe(true);
    });
    it.each(['', 'order 1', 'order/1', 'ordre-№1', id65, 7])('refuses %p', (value) => {
      expect(isReferenceId(value)).toBe(false);
    });
  });

  describe('a quantity', () => {
    it.each([1, 400_000, 100_000_000])('accepts %p', (value) => {
      expect(isQuantity(value)).toBe(true);
    });
    it.each([0, -1, 1.5, 100_000_001, Number.NaN, '5', null])('refuses %p', (value) => {
      expect(isQuantity(value)).toBe(false);
    });
  });

  describe('a pairing ratio', () => {
    it.each([0, 0.5, 1, 2.75])('accepts %p', (value) => {
      expect(isDomesticPerUnit(value)).toBe(true);
    });
    it.each([-0.5, Number.NaN, Number.POSITIVE_INFINITY, '0.5'])('refuses %p', (value) => {
      expect(isDomesticPerUnit(value)).toBe(false);
    });
  });

  describe('an instant', () => {
    it.each([
      '2026-12-31T23:59:59Z',
      '2026-12-31T23:59:59.999Z',
      '2026-12-31T23:59:59+08:00',
      '2028-02-29T00:00:00Z',
    ])('accepts %p', (value) => {
      expect(isInstant(value)).toBe(true);
    });
    it.each(['2026-12-31', '2026-12-31T23:59:59', '2027-02-29T00:00:00Z', '2026-12-31T24:00:00Z', 'soon', 0])(
      'refuses %p',
      (value) => {
        expect(isInstant(value)).toBe(false);
      },
    );
  });

  describe('free text', () => {
    it('accepts up to 500 characters', () => {
      expect(isText('x'.repeat(500))).toBe(true);
    });
    it.each(['', '   ', 'x'.repeat(501), undefined])('refuses %p', (value) => {
      expect(isText(value)).toBe(false);
    });
  });
});
