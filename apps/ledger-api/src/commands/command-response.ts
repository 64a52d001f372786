import type { CommandResult } from '@ledger/commands';

/** PRODUCT.md's 201 body: the ledger position to read one's own write at, and what was appended. */
export interface CommandResponse {
  position: number;
  events: { eventId: string; type: string; streamId: string; version: number }[];
}

export const toResponse = ({ position, events }: CommandResult): CommandResponse => ({ position, events });
