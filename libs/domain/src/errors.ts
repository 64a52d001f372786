/** How a refusal should be understood; only the HTTP layer turns a kind into a status. */
export type ErrorKind = 'validation' | 'not-found' | 'conflict' | 'rule';

const KIND_OF_CODE = {
  INVALID_INPUT: 'validation',

  PRODUCT_NOT_FOUND: 'not-found',
  FIRM_NOT_FOUND: 'not-found',
  ORDER_NOT_FOUND: 'not-found',
  LICENSE_NOT_FOUND: 'not-found',
  APPROVAL_NOT_FOUND: 'not-found',
  SHIPMENT_NOT_FOUND: 'not-found',

  PRODUCT_ALREADY_REGISTERED: 'conflict',
  FIRM_ALREADY_REGISTERED: 'conflict',
  ORDER_ALREADY_EXISTS: 'conflict',
  LICENSE_ALREADY_EXISTS: 'conflict',
  APPROVAL_ALREADY_EXISTS: 'conflict',
  PURCHASE_ALREADY_RECORDED: 'conflict',
  SUPPLY_ALREADY_RECORDED: 'conflict',
  SHIPMENT_ALREADY_EXISTS: 'conflict',
  ORDER_ALREADY_CANCELLED: 'conflict',
  LICENSE_ALREADY_REVOKED: 'conflict',
  APPROVAL_ALREADY_REVOKED: 'conflict',
  IMPORTS_ALREADY_BLOCKED: 'conflict',
  IMPORTS_NOT_BLOCKED: 'conflict',
  SHIPMENT_ALREADY_DELIVERED: 'conflict',

  ORIGIN_MISMATCH: 'rule',
  ORDER_FULFILLED: 'rule',
  ORDER_CANCELLED: 'rule',
  QUANTITY_EXCEEDS_BACKLOG: 'rule',
  IMPORTS_BLOCKED: 'rule',
  NO_EXPORT_LICENSE: 'rule',
  NO_APPROVAL: 'rule',
  QUOTA_EXCEEDED: 'rule',
  PAIRING_SHORTFALL: 'rule',
  INSUFFICIENT_SUPPLY: 'rule',
} as const satisfies Record<string, ErrorKind>;

export type ErrorCode = keyof typeof KIND_OF_CODE;

export const ERROR_CODES = Object.keys(KIND_OF_CODE) as readonly ErrorCode[];

export const ERROR_KINDS: Readonly<Record<ErrorCode, ErrorKind>> = KIND_OF_CODE;

/** Facts that explain a refusal (the remaining quota, the failing fields, ...); JSON only. */
export type ErrorDetails = Readonly<Record<string, unknown>>;

/** A command refused by the domain. Any other error thrown by it is a bug. */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  readonly kind: ErrorKind;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetails,
  ) {
    super(message);
    this.kind = ERROR_KINDS[code];
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
