import type { LedgerEvent } from '../events.js';

/** Whether a registry stream (purchase-{id}, supply-{id}) already holds the event that used its id. */
export type IdClaim = { status: 'none' | 'taken' };

export const initialIdClaim: IdClaim = { status: 'none' };

export function evolveIdClaim(_state: IdClaim, _event: LedgerEvent): IdClaim {
  return { status: 'taken' };
}
