import { withSessionSettings } from './database.js';

describe('withSessionSettings', () => {
  it('turns JIT off for every session opened with the URL', () => {
    const url = new URL(withSessionSettings('postgres://ledger:secret@db.example:5432/ledger'));
    expect(url.searchParams.get('options')).toBe('-c jit=off');
    expect(`${url.username}:${url.password}@${url.host}${url.pathname}`).toBe(
      'ledger:secret@db.example:5432/ledger',
    );
  });

  it('keeps the options and parameters the URL already had', () => {
    const url = new URL(
      withSessionSettings('postgres://db.example/ledger?sslmode=require&options=-c%20statement_timeout%3D5s'),
    );
    expect(url.searchParams.get('sslmode')).toBe('require');
    expect(url.searchParams.get('options')).toBe('-c statement_timeout=5s -c jit=off');
  });
});
