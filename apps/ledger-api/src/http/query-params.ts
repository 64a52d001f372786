import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, Matches, Max, Min } from 'class-validator';

export const MAX_PAGE = 1000;
export const DEFAULT_PAGE = 100;

/** Query strings arrive as text: a whole number becomes a number, anything else stays text and fails IsInt. */
export const toInteger = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value,
  );

/** An optional ledger position (a whole number ≥ 0) in a query string. */
export const IsPositionParam = (description: string, example: number) =>
  applyDecorators(
    ApiPropertyOptional({ type: 'integer', minimum: 0, example, description }),
    IsOptional(),
    toInteger(),
    IsInt({ message: '$property must be a whole number' }),
    Min(0),
  );

/** An optional page size, 1..1000 (a value out of range is refused, not clamped). */
export const IsLimitParam = () =>
  applyDecorators(
    ApiPropertyOptional({
      type: 'integer',
      minimum: 1,
      maximum: MAX_PAGE,
      default: DEFAULT_PAGE,
      example: 100,
    }),
    IsOptional(),
    toInteger(),
    IsInt({ message: '$property must be a whole number' }),
    Min(1),
    Max(MAX_PAGE),
  );

/** An optional instant: ISO 8601 with its time zone. */
export const IsInstantParam = (description: string, example: string) =>
  applyDecorators(
    ApiPropertyOptional({ format: 'date-time', example, description }),
    IsOptional(),
    IsISO8601({ strict: true, strictSeparator: true }),
    // An instant, not a local time: without a zone it would mean different moments on different servers.
    Matches(/(?:Z|[+-]\d{2}:\d{2})$/, { message: '$property must name its time zone (Z or ±hh:mm)' }),
  );
