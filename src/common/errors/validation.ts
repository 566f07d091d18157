import { ValidationPipe, type ValidationError } from '@nestjs/common';
import type { FieldErrorDto } from './error-envelope.dto.js';
import { ValidationFailedException } from './app-exceptions.js';

/** Flattens class-validator's tree into `{ field: 'a.b.0', messages }` entries. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldErrorDto[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own: FieldErrorDto[] = error.constraints
      ? [{ field, messages: Object.values(error.constraints).map((m) => m.replace(/^property (\S+) should not exist$/, 'is not allowed')) }]
      : [];
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationFailedException(flattenValidationErrors(errors)),
  });
}
