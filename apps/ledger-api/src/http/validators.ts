import { applyDecorators, type PipeTransform } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import {
  FIRM_ID_PATTERN,
  MAX_QUANTITY,
  MAX_TEXT_LENGTH,
  MIN_QUANTITY,
  REFERENCE_ID_PATTERN,
  SKU_PATTERN,
} from '@ledger/domain';
import { problem, ProblemError } from './problem-details.js';

/**
 * The formats of PRODUCT.md as class-validator decorators, from the patterns the domain itself checks,
 * each also describing its field (with an example) in the OpenAPI document.
 */
export const IsFirmId = (example = 'bytedance') =>
  applyDecorators(
    ApiProperty({ example, pattern: FIRM_ID_PATTERN.source, description: 'a lower-case slug' }),
    IsString(),
    Matches(FIRM_ID_PATTERN, { message: '$property must be a lower-case slug' }),
  );

export const IsSku = (example = 'H200') =>
  applyDecorators(
    ApiProperty({ example, pattern: SKU_PATTERN.source, description: 'an upper-case sku' }),
    IsString(),
    Matches(SKU_PATTERN, { message: '$property must be an upper-case sku' }),
  );

export const IsReferenceId = (example: string) =>
  applyDecorators(
    ApiProperty({
      example,
      pattern: REFERENCE_ID_PATTERN.source,
      description: 'chosen by the client; reuse is a 409',
    }),
    IsString(),
    Matches(REFERENCE_ID_PATTERN, { message: '$property must be 1-64 characters of A-Z a-z 0-9 . _ : -' }),
  );

export const IsQuantity = (example = 10_000) =>
  applyDecorators(
    ApiProperty({ example, type: 'integer', minimum: MIN_QUANTITY, maximum: MAX_QUANTITY }),
    IsInt({ message: '$property must be a whole number' }),
    Min(MIN_QUANTITY),
    Max(MAX_QUANTITY),
  );

export const IsText = (example: string) =>
  applyDecorators(
    ApiProperty({ example, maxLength: MAX_TEXT_LENGTH }),
    IsString(),
    Matches(/\S/, { message: '$property must not be blank' }),
    MaxLength(MAX_TEXT_LENGTH),
  );

export const IsOrigin = () =>
  applyDecorators(
    ApiProperty({ enum: ['foreign', 'domestic'], example: 'foreign' }),
    IsIn(['foreign', 'domestic']),
  );

export const IsRatio = () =>
  applyDecorators(
    ApiProperty({ example: 0.5, minimum: 0, description: 'domestic units required per imported unit' }),
    IsNumber({ allowNaN: false, allowInfinity: false }),
    Min(0),
  );

export const IsOptionalInstant = (example: string) =>
  applyDecorators(
    ApiPropertyOptional({ example, format: 'date-time' }),
    IsOptional(),
    IsISO8601({ strict: true, strictSeparator: true }),
  );

/** Checks a path parameter against a format; a bad one is a 400 naming it, like a bad body field. */
export class ParamFormat implements PipeTransform<string, string> {
  constructor(
    private readonly name: string,
    private readonly pattern: RegExp,
  ) {}

  transform(value: string): string {
    if (this.pattern.test(value)) return value;
    throw new ProblemError(
      problem(400, 'VALIDATION_FAILED', `path parameter ${this.name} is malformed`, {
        errors: [{ field: this.name, messages: [`${this.name} has the wrong format`] }],
      }),
    );
  }
}

export const skuParam = new ParamFormat('sku', SKU_PATTERN);
export const idParam = (name: string) => new ParamFormat(name, REFERENCE_ID_PATTERN);
