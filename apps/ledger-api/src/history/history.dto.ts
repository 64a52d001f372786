import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Min } from 'class-validator';
import { EVENT_TYPES, FIRM_ID_PATTERN, REFERENCE_ID_PATTERN, SKU_PATTERN } from '@ledger/domain';
import { IsInstantParam, IsLimitParam, IsPositionParam, toInteger } from '../http/query-params.js';
import { ParamFormat } from '../http/validators.js';

export { DEFAULT_PAGE, MAX_PAGE } from '../http/query-params.js';

/** The stream ids the domain writes (streams.ts): a kind, a dash, and the id in that kind's format. */
const STREAM_ID_PATTERN = new RegExp(
  `^(?:product-${body(SKU_PATTERN)}|firm-${body(FIRM_ID_PATTERN)}|` +
    `(?:order|approval|license|shipment|purchase|supply)-${body(REFERENCE_ID_PATTERN)})$`,
);

function body(pattern: RegExp): string {
  return `(?:${pattern.source.replace(/^\^/, '').replace(/\$$/, '')})`;
}

/** `?type=A&type=B` and `?type=A,B` alike; a non-text value stays as it is and fails validation. */
function splitList(value: unknown): unknown[] {
  const items: unknown[] = Array.isArray(value) ? value : [value];
  return items.flatMap((item) => (typeof item === 'string' ? item.split(',').map((s) => s.trim()) : [item]));
}

export const streamIdParam = new ParamFormat('streamId', STREAM_ID_PATTERN);

export class EventsQueryDto {
  @IsPositionParam('return events after this ledger position (the `next` of the previous page)', 0)
  after?: number;

  @IsLimitParam()
  limit?: number;

  @ApiPropertyOptional({
    type: [String],
    enum: EVENT_TYPES,
    example: ['OrderPlaced', 'ShipmentReleased'],
    description: 'event types; repeat the parameter or give a comma-separated list',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => splitList(value))
  @IsIn(EVENT_TYPES, { each: true, message: `each type must be one of ${EVENT_TYPES.join(', ')}` })
  type?: string[];

  @ApiPropertyOptional({
    example: 'order-PO-2026-0001',
    pattern: STREAM_ID_PATTERN.source,
    description: 'events written to this stream or linked into it',
  })
  @IsOptional()
  @Matches(STREAM_ID_PATTERN, { message: '$property must be a stream id such as product-H200 or order-PO-1' })
  streamId?: string;

  @ApiPropertyOptional({
    example: 'bytedance',
    pattern: FIRM_ID_PATTERN.source,
    description:
      'events about this firm: those whose data names it, and the other events of its orders, shipments, approvals and purchases',
  })
  @IsOptional()
  @Matches(FIRM_ID_PATTERN, { message: '$property must be a lower-case slug' })
  firmId?: string;

  @IsInstantParam('recorded at or after this instant', '2026-01-01T00:00:00Z')
  from?: string;

  @IsInstantParam('recorded before this instant', '2027-01-01T00:00:00Z')
  to?: string;
}

export class StreamQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, default: 1, example: 1 })
  @IsOptional()
  @toInteger()
  @IsInt({ message: '$property must be a whole number' })
  @Min(1)
  fromVersion?: number;

  @IsLimitParam()
  limit?: number;
}

export class LiveQueryDto {
  @IsPositionParam('start after this position; the Last-Event-ID header, when sent, takes precedence', 0)
  after?: number;
}
