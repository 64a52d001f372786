import type { CommandOf, LedgerCommand, LedgerCommandType } from './commands.js';
import { DomainError } from './errors.js';
import { ORIGINS } from './events.js';
import {
  MAX_QUANTITY,
  MAX_TEXT_LENGTH,
  isDomesticPerUnit,
  isFirmId,
  isInstant,
  isQuantity,
  isReferenceId,
  isSku,
  isText,
} from './ids.js';

export type FieldViolation = { field: string; message: string };

type FieldCheck = { accepts: (value: unknown) => boolean; expected: string };

const firmId: FieldCheck = {
  accepts: isFirmId,
  expected: 'a lower-case slug (a-z, 0-9, single hyphens) of at most 64 characters',
};
const sku: FieldCheck = {
  accepts: isSku,
  expected: 'an upper-case sku (A-Z, 0-9, single "-" or ".") of at most 64 characters',
};
const referenceId: FieldCheck = {
  accepts: isReferenceId,
  expected: '1 to 64 characters of A-Z a-z 0-9 . _ : -',
};
const quantity: FieldCheck = { accepts: isQuantity, expected: `a whole number from 1 to ${MAX_QUANTITY}` };
const text: FieldCheck = {
  accepts: isText,
  expected: `non-blank text of at most ${MAX_TEXT_LENGTH} characters`,
};
const origin: FieldCheck = {
  accepts: (value) => ORIGINS.some((known) => known === value),
  expected: ORIGINS.join(' or '),
};
const domesticPerUnit: FieldCheck = { accepts: isDomesticPerUnit, expected: 'a finite number of at least 0' };
const instant: FieldCheck = {
  accepts: isInstant,
  expected: 'an ISO 8601 date-time with a time zone, like 2026-12-31T23:59:59Z',
};

function optional(check: FieldCheck): FieldCheck {
  return { accepts: (value) => value === undefined || check.accepts(value), expected: check.expected };
}

// Mapped over every command's data, so a field added to a command fails to compile until it is checked here.
const FIELD_CHECKS: {
  readonly [Type in LedgerCommandType]: { readonly [Field in keyof CommandOf<Type>['data']]-?: FieldCheck };
} = {
  RegisterProduct: { sku, name: text, vendor: text, origin },
  RegisterFirm: { firmId, name: text, jurisdiction: text },
  PlaceOrder: { orderId: referenceId, firmId, sku, quantity },
  CancelOrder: { orderId: referenceId, reason: text },
  GrantExportLicense: {
    licenseId: referenceId,
    sku,
    vendor: text,
    destination: text,
    validUntil: optional(instant),
  },
  RevokeExportLicense: { licenseId: referenceId, reason: text },
  BlockImports: { sku, reason: text },
  UnblockImports: { sku, reason: text },
  SetPairingRatio: { sku, domesticPerUnit },
  GrantApproval: { approvalId: referenceId, batchId: referenceId, firmId, sku, quota: quantity },
  RevokeApproval: { approvalId: referenceId, reason: text },
  RecordDomesticPurchase: { purchaseId: referenceId, firmId, sku, quantity },
  RecordSupply: { supplyId: referenceId, sku, quantity },
  ReleaseShipment: { shipmentId: referenceId, orderId: referenceId, quantity },
  DeliverShipment: { shipmentId: referenceId },
};

/** Every field of the command that is missing or malformed; empty when the command is well-formed. */
export function validateCommand(command: LedgerCommand): FieldViolation[] {
  const checks: Readonly<Record<string, FieldCheck>> = FIELD_CHECKS[command.type];
  const data = asRecord(command.data);
  return Object.entries(checks)
    .filter(([field, check]) => !check.accepts(data[field]))
    .map(([field, check]) => ({ field, message: `must be ${check.expected}` }));
}

/** Refuses a malformed command with INVALID_INPUT naming every failing field. */
export function assertValidCommand(command: LedgerCommand): void {
  const fields = validateCommand(command);
  if (fields.length > 0) {
    throw new DomainError(
      'INVALID_INPUT',
      `${command.type}: invalid ${fields.map(({ field }) => field).join(', ')}`,
      { fields },
    );
  }
}

// Commands come from outside the type system (HTTP, CLI, seed files); their data may be anything.
function asRecord(data: unknown): Readonly<Record<string, unknown>> {
  return typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
}
