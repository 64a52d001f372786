import { applyDecorators, type PipeTransform } from '@nestjs/common';
import { IsIn, IsInt, IsNumber, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import {
  FIRM_ID_PATTERN,
  MAX_QUANTITY,
  MAX_TEXT_LENGTH,
  MIN_QUANTITY,
  REFERENCE_ID_PATTERN,
  SKU_PATTERN,
} from '@ledger/domain';
import { problem, ProblemError } from './problem-details.js';

/** The formats of PRODUCT.md as class-validator decorators, from the patterns the domain itself checks. */
export const IsFirmId = () =>
  applyDecorators(IsString(), Matches(FIRM_ID_PATTERN, { message: '$property must be a lower-case slug' }));

export const IsSku = () =>
  applyDecorators(IsString(), Matches(SKU_PATTERN, { message: '$property must be an upper-case sku' }));

export const IsReferenceId = () =>
  applyDecorators(
    IsString(),
    Matches(REFERENCE_ID_PATTERN, { message: '$property must be 1-64 characters of A-Z a-z 0-9 . _ : -' }),
  );

export const IsQuantity = () =>
  applyDecorators(
    IsInt({ message: '$property must be a whole number' }),
    Min(MIN_QUANTITY),
    Max(MAX_QUANTITY),
  );

export const IsText = () =>
  applyDecorators(
    IsString(),
    Matches(/\S/, { message: '$property must not be blank' }),
    MaxLength(MAX_TEXT_LENGTH),
  );

export const IsOrigin = () => IsIn(['foreign', 'domestic']);

export const IsRatio = () => applyDecorators(IsNumber({ allowNaN: false, allowInfinity: false }), Min(0));

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
