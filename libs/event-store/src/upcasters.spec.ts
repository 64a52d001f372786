import { Upcasters } from './upcasters.js';

describe('Upcasters', () => {
  const upcasters = new Upcasters([
    { type: 'OrderPlaced', fromVersion: 1, upcast: ({ qty, ...rest }) => ({ ...rest, quantity: qty ?? 0 }) },
    { type: 'OrderPlaced', fromVersion: 2, upcast: (data) => ({ ...data, unit: 'chip' }) },
  ]);

  it('chains every step from the stored version to the current one', () => {
    expect(upcasters.upcast('OrderPlaced', 1, { orderId: 'o-1', qty: 5 })).toEqual({
      schemaVersion: 3,
      data: { orderId: 'o-1', quantity: 5, unit: 'chip' },
    });
  });

  it('starts from the version the event was stored at', () => {
    expect(upcasters.upcast('OrderPlaced', 2, { orderId: 'o-1', quantity: 5 })).toEqual({
      schemaVersion: 3,
      data: { orderId: 'o-1', quantity: 5, unit: 'chip' },
    });
  });

  it('leaves current events and other types untouched', () => {
    const data = { orderId: 'o-1', quantity: 5, unit: 'chip' };
    expect(upcasters.upcast('OrderPlaced', 3, data)).toEqual({ schemaVersion: 3, data });
    expect(upcasters.upcast('FirmRegistered', 1, { firmId: 'x' })).toEqual({
      schemaVersion: 1,
      data: { firmId: 'x' },
    });
  });

  it('refuses two upcasters for the same step', () => {
    expect(() => upcasters.register({ type: 'OrderPlaced', fromVersion: 1, upcast: (d) => d })).toThrow(
      /already/,
    );
  });
});
