import { DomainError, ERROR_CODES, ERROR_KINDS } from './errors.js';

describe('domain errors', () => {
  it("carry their code's kind", () => {
    const error = new DomainError('QUOTA_EXCEEDED', 'no quota left', { remainingQuota: 0 });
    expect(error).toMatchObject({ code: 'QUOTA_EXCEEDED', kind: 'rule', details: { remainingQuota: 0 } });
  });

  it.each([
    ['ORDER_NOT_FOUND', 'not-found'],
    ['ORDER_ALREADY_EXISTS', 'conflict'],
    ['APPROVAL_ALREADY_REVOKED', 'conflict'],
    ['ORIGIN_MISMATCH', 'rule'],
    ['INVALID_INPUT', 'validation'],
  ] as const)('file %s as %s', (code, kind) => {
    expect(ERROR_KINDS[code]).toBe(kind);
  });

  it("include ReleaseShipment's rules, named as in PRODUCT.md", () => {
    expect(ERROR_CODES).toEqual(
      expect.arrayContaining([
        'ORDER_NOT_FOUND',
        'ORDER_CANCELLED',
        'QUANTITY_EXCEEDS_BACKLOG',
        'IMPORTS_BLOCKED',
        'NO_EXPORT_LICENSE',
        'NO_APPROVAL',
        'QUOTA_EXCEEDED',
        'PAIRING_SHORTFALL',
        'INSUFFICIENT_SUPPLY',
      ]),
    );
  });
});
