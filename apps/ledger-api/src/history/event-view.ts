import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { LedgerEvent, StreamHistoryEvent } from '@ledger/event-store';

/** The fields an event is shown with; a stream read may hold one not stamped yet (no position, no hashes). */
type Viewed = Omit<LedgerEvent, 'position' | 'hash' | 'prevHash'> &
  Pick<LedgerEvent | StreamHistoryEvent, 'position' | 'hash' | 'prevHash'>;

/** A ledger event as the history routes and the live feed show it: one shape everywhere. */
export function eventView<E extends Viewed>(event: E) {
  return {
    position: event.position as E['position'],
    eventId: event.eventId,
    streamId: event.streamId,
    streamVersion: event.streamVersion,
    links: event.links,
    type: event.type,
    schemaVersion: event.schemaVersion,
    data: event.data,
    metadata: event.metadata,
    recordedAt: event.recordedAt.toISOString(),
    hash: event.hash as E['hash'],
    prevHash: event.prevHash as E['prevHash'],
  };
}

export type EventView = ReturnType<typeof eventView<LedgerEvent>>;

/** The same, with the event's version in the stream that was read. */
export function streamEventView(event: StreamHistoryEvent) {
  return { version: event.version, ...eventView(event) };
}

class StreamLinkDoc {
  @ApiProperty({ example: 'order-PO-2026-0001' }) streamId: string;
  @ApiProperty({ example: 3 }) streamVersion: number;
}

class MetadataDoc {
  @ApiProperty({ example: 'ops-admin' }) actor: string;
  @ApiProperty({ example: 'admin' }) role: string;
  @ApiProperty({ example: '6d1f0c1e-3b7a-4a2f-9a51-0c7f2b9e8d11' }) correlationId: string;
  @ApiProperty({ example: '6d1f0c1e-3b7a-4a2f-9a51-0c7f2b9e8d11' }) causationId: string;
  @ApiProperty({ example: '2f4e8a90-1c3d-4b5e-8f70-9a1b2c3d4e5f' }) commandId: string;
}

const HASH_EXAMPLE = '9f2c4b1e0d8a7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b';
const PREV_EXAMPLE = '3a1b5c7d9e0f2a4b6c8d0e1f3a5b7c9d1e2f4a6b8c0d2e4f6a8b0c1d3e5f7a9b';

class EventFieldsDoc {
  @ApiProperty({ example: '0b6f5a4e-8f7e-4a59-9a57-5e2d1c3b4a10' }) eventId: string;
  @ApiProperty({ example: 'shipment-SH-2026-0001', description: 'the stream the event was written to' })
  streamId: string;
  @ApiProperty({ example: 1, description: 'its version in that stream' }) streamVersion: number;
  @ApiProperty({
    type: [StreamLinkDoc],
    description: 'further streams it belongs to, with its version there',
  })
  links: StreamLinkDoc[];
  @ApiProperty({ example: 'ShipmentReleased' }) type: string;
  @ApiProperty({ example: 1 }) schemaVersion: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { shipmentId: 'SH-2026-0001', orderId: 'PO-2026-0001', firmId: 'bytedance', sku: 'H200' },
  })
  data: Record<string, unknown>;
  @ApiProperty({ type: MetadataDoc }) metadata: MetadataDoc;
  @ApiProperty({ example: '2026-03-01T09:30:00.000Z', format: 'date-time' }) recordedAt: string;
}

export class EventDoc extends EventFieldsDoc {
  @ApiProperty({ example: 1234, description: 'dense ledger position' }) position: number;
  @ApiProperty({ example: HASH_EXAMPLE, description: 'SHA-256 (hex) of the stored ledger entry' })
  hash: string;
  @ApiProperty({ example: PREV_EXAMPLE, description: 'hash of the previous entry (genesis hash at 1)' })
  prevHash: string;
}

export class EventsPageDoc {
  @ApiProperty({ type: [EventDoc] }) events: EventDoc[];
  @ApiProperty({
    example: 1334,
    nullable: true,
    type: 'integer',
    description: 'pass as `after` for the next page; null when nothing more matches',
  })
  next: number | null;
  @ApiProperty({ example: 250_000, description: 'the ledger head position when the page was read' })
  head: number;
}

export class StreamEventDoc extends EventFieldsDoc {
  @ApiProperty({ example: 2, description: 'the event’s version in the stream that was read' })
  version: number;
  @ApiPropertyOptional({ example: 1234, nullable: true, type: 'integer', description: 'null until stamped' })
  position: number | null;
  @ApiPropertyOptional({ example: HASH_EXAMPLE, nullable: true, type: 'string' }) hash: string | null;
  @ApiPropertyOptional({ example: PREV_EXAMPLE, nullable: true, type: 'string' }) prevHash: string | null;
}

export class StreamDoc {
  @ApiProperty({ example: 'order-PO-2026-0001' }) streamId: string;
  @ApiProperty({ example: 3, description: 'the stream’s current version' }) version: number;
  @ApiProperty({ type: [StreamEventDoc] }) events: StreamEventDoc[];
  @ApiProperty({
    example: null,
    nullable: true,
    type: 'integer',
    description: 'pass as `fromVersion` for the next page; null at the stream’s end',
  })
  next: number | null;
}
