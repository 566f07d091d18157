import type { FieldErrorDto } from '../errors/error-envelope.dto.js';

/**
 * Small composable checks for JSON that class-validator cannot describe well: objects whose shape depends on a
 * discriminator (Retell's tool configurations). Each rule reports problems under a dotted path, in the same
 * `{ field, messages }` form as the global ValidationPipe, so a client sees one error format.
 */
export class FieldErrors {
  private readonly byField = new Map<string, string[]>();

  add(field: string, message: string): void {
    const messages = this.byField.get(field) ?? [];
    if (!messages.includes(message)) messages.push(message);
    this.byField.set(field, messages);
  }

  get empty(): boolean {
    return this.byField.size === 0;
  }

  toArray(): FieldErrorDto[] {
    return [...this.byField].map(([field, messages]) => ({ field, messages }));
  }
}

export type Rule = (value: unknown, path: string, errors: FieldErrors) => void;

export interface FieldSpec {
  rule: Rule;
  required?: boolean;
}

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const join = (path: string, key: string | number): string => (path ? `${path}.${key}` : String(key));

export function str(options: { min?: number; max?: number; pattern?: RegExp; patternMessage?: string } = {}): Rule {
  const { min = 0, max = 10_000, pattern, patternMessage } = options;
  return (value, path, errors) => {
    if (typeof value !== 'string') return errors.add(path, 'must be a string');
    if (value.length < min) errors.add(path, min === 1 ? 'must not be empty' : `must be at least ${min} characters`);
    if (value.length > max) errors.add(path, `must be at most ${max} characters`);
    if (pattern && !pattern.test(value)) errors.add(path, patternMessage ?? `must match ${pattern.source}`);
  };
}

export const bool: Rule = (value, path, errors) => {
  if (typeof value !== 'boolean') errors.add(path, 'must be a boolean');
};

export function int(min: number, max: number): Rule {
  return (value, path, errors) => {
    if (typeof value !== 'number' || !Number.isInteger(value)) return errors.add(path, 'must be an integer');
    if (value < min || value > max) errors.add(path, `must be between ${min} and ${max}`);
  };
}

export function oneOf(...values: readonly string[]): Rule {
  return (value, path, errors) => {
    if (typeof value !== 'string' || !values.includes(value)) errors.add(path, `must be one of: ${values.join(', ')}`);
  };
}

/** Either rule may match; the message lists what was expected. */
export function either(a: Rule, b: Rule, message: string): Rule {
  return (value, path, errors) => {
    const first = new FieldErrors();
    a(value, path, first);
    if (first.empty) return;
    const second = new FieldErrors();
    b(value, path, second);
    if (!second.empty) errors.add(path, message);
  };
}

/** `{ "key": "string value" }`, e.g. HTTP headers or response variables. */
export function stringMap(options: { maxEntries?: number; keyPattern?: RegExp; maxValue?: number } = {}): Rule {
  const { maxEntries = 50, keyPattern = /^[^\s]{1,256}$/, maxValue = 4000 } = options;
  return (value, path, errors) => {
    if (!isPlainObject(value)) return errors.add(path, 'must be an object of string values');
    const entries = Object.entries(value);
    if (entries.length > maxEntries) errors.add(path, `must have at most ${maxEntries} entries`);
    for (const [key, item] of entries) {
      if (!keyPattern.test(key)) errors.add(join(path, key), 'is not an allowed key');
      if (typeof item !== 'string') errors.add(join(path, key), 'must be a string');
      else if (item.length > maxValue) errors.add(join(path, key), `must be at most ${maxValue} characters`);
    }
  };
}

export function arrayOf(item: Rule, options: { min?: number; max: number }): Rule {
  const { min = 0, max } = options;
  return (value, path, errors) => {
    if (!Array.isArray(value)) return errors.add(path, 'must be an array');
    if (value.length < min) errors.add(path, `must have at least ${min} item${min === 1 ? '' : 's'}`);
    if (value.length > max) errors.add(path, `must have at most ${max} items`);
    value.forEach((element, index) => item(element, join(path, index), errors));
  };
}

/** An object with exactly these fields: missing required ones and unknown ones are reported. */
export function object(fields: Readonly<Record<string, FieldSpec>>): Rule {
  return (value, path, errors) => {
    if (!isPlainObject(value)) return errors.add(path, 'must be an object');
    for (const [key, spec] of Object.entries(fields)) {
      const item = value[key];
      if (item === undefined || item === null) {
        if (spec.required) errors.add(join(path, key), 'is required');
        continue;
      }
      spec.rule(item, join(path, key), errors);
    }
    for (const key of Object.keys(value)) {
      if (!Object.hasOwn(fields, key)) errors.add(join(path, key), 'is not allowed');
    }
  };
}

/** An object whose allowed fields depend on its `type` (the discriminator is part of each variant's fields). */
export function byType(variants: Readonly<Record<string, Readonly<Record<string, FieldSpec>>>>): Rule {
  const types = Object.keys(variants);
  return (value, path, errors) => {
    if (!isPlainObject(value)) return errors.add(path, 'must be an object');
    const type = value.type;
    if (typeof type !== 'string' || !Object.hasOwn(variants, type)) {
      return errors.add(join(path, 'type'), `must be one of: ${types.join(', ')}`);
    }
    object({ ...variants[type], type: { rule: () => undefined, required: true } })(value, path, errors);
  };
}

/** A field the SDK has but this API does not offer (e.g. it would reference resources a tenant cannot own here). */
export function unsupported(reason: string): Rule {
  return (_value, path, errors) => errors.add(path, reason);
}

/** Any JSON object (e.g. a JSON Schema's `properties`), bounded in size. */
export function jsonObject(maxBytes: number): Rule {
  return (value, path, errors) => {
    if (!isPlainObject(value)) return errors.add(path, 'must be an object');
    if (JSON.stringify(value).length > maxBytes) errors.add(path, `must be at most ${maxBytes} bytes as JSON`);
  };
}
