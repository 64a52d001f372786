import { randomUUID } from 'node:crypto';
import type { EventMetadata, JsonObject, NewEvent } from '@ledger/event-store';

/** A dispatch of export-controlled goods: about 200 bytes of data, as a real command would write. */
export function sampleEvent(eventId: string = randomUUID()): NewEvent {
  return { eventId, type: 'ConsignmentDispatched', data: sampleData(), metadata: sampleMetadata() };
}

export function sampleData(): JsonObject {
  return {
    consignmentId: randomUUID(),
    item: { sku: 'ECCN-3A001-FPGA', quantity: 240, unit: 'pcs' },
    from: 'DE-HAM-W03',
    to: 'NL-RTM-T11',
    licence: 'EX-2025-004417',
    dispatchedAt: new Date().toISOString(),
  };
}

function sampleMetadata(): EventMetadata {
  return {
    actor: 'user:7d2c9f40-5a1e-4c8b-9e1f-3b6a2d8c4e10',
    role: 'dispatcher',
    correlationId: randomUUID(),
    causationId: randomUUID(),
    commandId: randomUUID(),
  };
}
