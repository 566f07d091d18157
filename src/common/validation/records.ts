import { ValidationOptions, registerDecorator } from 'class-validator';

const KEY = /^[A-Za-z0-9_.-]{1,64}$/;

/** A flat object of string values (Retell's dynamic variables must be strings). */
export function IsStringRecord(options: { maxKeys: number; maxValueLength: number }, validationOptions?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isStringRecord',
      target: target.constructor,
      propertyName,
      options: {
        message: `$property must be an object of at most ${options.maxKeys} string values (keys: letters, digits, _ . -; values up to ${options.maxValueLength} characters)`,
        ...validationOptions,
      },
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
          const entries = Object.entries(value);
          return entries.length <= options.maxKeys && entries.every(([k, v]) => KEY.test(k) && typeof v === 'string' && v.length <= options.maxValueLength);
        },
      },
    });
}

/** A JSON object whose serialised size stays under a cap. */
export function IsJsonObject(options: { maxBytes: number }, validationOptions?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isJsonObject',
      target: target.constructor,
      propertyName,
      options: { message: `$property must be a JSON object of at most ${options.maxBytes} bytes`, ...validationOptions },
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
          return Buffer.byteLength(JSON.stringify(value)) <= options.maxBytes;
        },
      },
    });
}
