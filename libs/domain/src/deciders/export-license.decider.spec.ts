import type { GrantExportLicense } from '../commands.js';
import { given, type History } from '../testing/decider-spec.js';
import { licenseGranted, licenseRevoked, productRegistered } from '../testing/event-builders.js';
import { decideGrantExportLicense, decideRevokeExportLicense } from './export-license.decider.js';

const h200 = productRegistered('H200', 'foreign');
const ascend = productRegistered('ASCEND-910C', 'domestic');

describe('GrantExportLicense', () => {
  const grant = (licenseId: string, sku: string, validUntil?: string) => (history: History) => {
    const data: GrantExportLicense['data'] = {
      licenseId,
      sku,
      vendor: 'Nvidia',
      destination: 'CN',
      validUntil,
    };
    return decideGrantExportLicense(
      { type: 'GrantExportLicense', data },
      history.license(licenseId),
      history.product(sku),
    );
  };

  describe('when the product is foreign', () => {
    it('grants a license that does not expire, without a validUntil key', () => {
      given(h200).when(grant('lic-1', 'H200')).then(licenseGranted('lic-1', 'H200'));
    });

    it('grants a license valid until an instant', () => {
      given(h200)
        .when(grant('lic-1', 'H200', '2026-12-31T23:59:59Z'))
        .then(licenseGranted('lic-1', 'H200', '2026-12-31T23:59:59Z'));
    });

    it.each(['2026-12-31', '2026-12-31T23:59:59', '2026-02-30T00:00:00Z', 'next year'])(
      'refuses validUntil %p with INVALID_INPUT',
      (validUntil) => {
        given(h200)
          .when(grant('lic-1', 'H200', validUntil))
          .thenThrows('INVALID_INPUT');
      },
    );
  });

  describe('when the license id is taken', () => {
    it('refuses with LICENSE_ALREADY_EXISTS', () => {
      given(h200, licenseGranted('lic-1', 'H200'))
        .when(grant('lic-1', 'H200'))
        .thenThrows('LICENSE_ALREADY_EXISTS');
    });
  });

  describe('when the product is domestic', () => {
    it('refuses with ORIGIN_MISMATCH', () => {
      given(ascend).when(grant('lic-1', 'ASCEND-910C')).thenThrows('ORIGIN_MISMATCH');
    });
  });

  describe('when the product is unknown', () => {
    it('refuses with PRODUCT_NOT_FOUND', () => {
      given().when(grant('lic-1', 'H200')).thenThrows('PRODUCT_NOT_FOUND');
    });
  });
});

describe('RevokeExportLicense', () => {
  const revoke = (licenseId: string) => (history: History) =>
    decideRevokeExportLicense(
      { type: 'RevokeExportLicense', data: { licenseId, reason: 'policy change' } },
      history.license(licenseId),
    );

  describe('when the license is granted', () => {
    it('revokes it, naming its sku', () => {
      given(h200, licenseGranted('lic-1', 'H200'))
        .when(revoke('lic-1'))
        .then(licenseRevoked('lic-1', 'H200'));
    });
  });

  describe('when the license is revoked', () => {
    it('refuses with LICENSE_ALREADY_REVOKED', () => {
      given(h200, licenseGranted('lic-1', 'H200'), licenseRevoked('lic-1', 'H200'))
        .when(revoke('lic-1'))
        .thenThrows('LICENSE_ALREADY_REVOKED');
    });
  });

  describe('when the license does not exist', () => {
    it('refuses with LICENSE_NOT_FOUND', () => {
      given(h200).when(revoke('lic-1')).thenThrows('LICENSE_NOT_FOUND');
    });
  });
});
