import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { FIRM_ID_PATTERN, SKU_PATTERN } from '@ledger/domain';
import { ORDER_STATUSES } from '@ledger/projections';
import { IsInstantParam, IsLimitParam, IsPositionParam } from '../http/query-params.js';

/** What every read accepts: read-your-writes, a past state, and paging. */
export class ReadQueryDto {
  @IsPositionParam(
    'wait (bounded) until the read model reflects at least this ledger position: pass the position your command returned',
    1234,
  )
  minPosition?: number;

  @IsPositionParam('the state right after this ledger position (a past state)', 1000)
  atPosition?: number;

  @IsInstantParam(
    'the state as of this instant: every ledger entry recorded at or before it (the longest such prefix)',
    '2026-06-01T00:00:00Z',
  )
  asOf?: string;

  @IsLimitParam()
  limit?: number;

  @ApiPropertyOptional({
    description: 'the `next` cursor of the previous page',
    example: 'WyJieXRlZGFuY2UiXQ',
  })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: '$property must be a cursor handed out as `next`' })
  after?: string;
}

const optionalFirmId = () => [
  ApiPropertyOptional({ example: 'bytedance', pattern: FIRM_ID_PATTERN.source }),
  IsOptional(),
  Matches(FIRM_ID_PATTERN, { message: '$property must be a lower-case slug' }),
];

const optionalSku = () => [
  ApiPropertyOptional({ example: 'H200', pattern: SKU_PATTERN.source }),
  IsOptional(),
  Matches(SKU_PATTERN, { message: '$property must be an upper-case sku' }),
];

const apply =
  (decorators: PropertyDecorator[]): PropertyDecorator =>
  (target, key) => {
    for (const decorator of decorators) decorator(target, key);
  };

export class AllocationsQueryDto extends ReadQueryDto {
  @apply(optionalFirmId()) firmId?: string;
  @apply(optionalSku()) sku?: string;
}

export class BacklogQueryDto extends ReadQueryDto {
  @apply(optionalSku()) sku?: string;
}

export class OrdersQueryDto extends ReadQueryDto {
  @apply(optionalFirmId()) firmId?: string;

  @ApiPropertyOptional({ enum: ORDER_STATUSES, example: 'open' })
  @IsOptional()
  @IsIn(ORDER_STATUSES, { message: `$property must be one of ${ORDER_STATUSES.join(', ')}` })
  status?: string;
}

export class ApprovalBatchesQueryDto extends ReadQueryDto {}

/** A single row: only the read point applies. */
export class ReadOneQueryDto {
  @IsPositionParam('wait (bounded) until the read model reflects at least this ledger position', 1234)
  minPosition?: number;

  @IsPositionParam('the state right after this ledger position (a past state)', 1000)
  atPosition?: number;

  @IsInstantParam('the state as of this instant', '2026-06-01T00:00:00Z')
  asOf?: string;
}
