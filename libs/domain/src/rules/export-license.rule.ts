/** An export license for one sku, as a product sees it. */
export type ExportLicenseTerms = {
  licenseId: string;
  /** ISO 8601 instant; absent: the license does not expire. */
  validUntil?: string;
  revoked: boolean;
};

/** Granted, not revoked, and not expired: expiry is at the instant `validUntil` itself, as for a JWT's exp. */
export function isLicenseActive(license: ExportLicenseTerms, now: Date): boolean {
  if (license.revoked) return false;
  return license.validUntil === undefined || now.getTime() < Date.parse(license.validUntil);
}

export function hasActiveLicense(licenses: readonly ExportLicenseTerms[], now: Date): boolean {
  return licenses.some((license) => isLicenseActive(license, now));
}
