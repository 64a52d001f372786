import { randomUUID } from 'node:crypto';
import type { EventMetadata, JsonObject, NewEvent } from '@ledger/event-store';

export function metadata(overrides: Partial<EventMetadata> = {}): EventMetadata {
  const id = randomUUID();
  return { actor: 'test', role: 'admin', correlationId: id, causationId: id, commandId: id, ...overrides };
}

export function anEvent(type = 'Tested', data: JsonObject = {}, overrides: Partial<NewEvent> = {}): NewEvent {
  return { eventId: randomUUID(), type, data, metadata: metadata(), ...overrides };
}
