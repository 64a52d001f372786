import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { problem, ProblemError } from './problem-details.js';

export interface FieldError {
  field: string;
  messages: string[];
}

/** Unknown fields refused, types checked strictly; a 400 lists every failing field, nested ones by path. */
export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      return new ProblemError(
        problem(400, 'VALIDATION_FAILED', `${fields.length} field(s) failed validation`, { errors: fields }),
      );
    },
  });
}

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
