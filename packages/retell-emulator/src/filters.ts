import { badRequest } from './http.js';
import { isObject } from './validation.js';

/** Retell's typed filters (OpenAPI `StringFilter`, `NumberFilter`, `RangeFilter`, `EnumFilter`, `BooleanFilter`, `PresentFilter`). */
export type FilterType = 'string' | 'number' | 'range' | 'enum' | 'boolean' | 'present';

export type ValueMatcher = (actual: unknown) => boolean;

const STRING_OPS: Readonly<Record<string, (actual: string, expected: string) => boolean>> = {
  eq: (a, e) => a === e,
  ne: (a, e) => a !== e,
  sw: (a, e) => a.startsWith(e),
  ew: (a, e) => a.endsWith(e),
  co: (a, e) => a.includes(e),
};

const NUMBER_OPS: Readonly<Record<string, (actual: number, expected: number) => boolean>> = {
  eq: (a, e) => a === e,
  ne: (a, e) => a !== e,
  gt: (a, e) => a > e,
  ge: (a, e) => a >= e,
  lt: (a, e) => a < e,
  le: (a, e) => a <= e,
};

/**
 * Turns one filter object into a predicate, refusing (400) malformed filters and filter types the field does not
 * take. A missing value matches nothing but `{type: 'present', op: 'np'}`.
 */
export function valueMatcher(filter: unknown, at: string, allowed: readonly FilterType[]): ValueMatcher {
  const malformed = () => badRequest(`${at} must be one of the ${allowed.join('/')} filters, e.g. {type, op, value}.`);
  if (!isObject(filter) || !allowed.includes(filter.type as FilterType)) throw malformed();
  const { op, value } = filter;
  switch (filter.type as FilterType) {
    case 'string': {
      const test = typeof op === 'string' ? STRING_OPS[op] : undefined;
      if (!test || typeof value !== 'string') throw malformed();
      return (actual) => typeof actual === 'string' && test(actual, value);
    }
    case 'number': {
      const test = typeof op === 'string' ? NUMBER_OPS[op] : undefined;
      if (!test || typeof value !== 'number') throw malformed();
      return (actual) => typeof actual === 'number' && test(actual, value);
    }
    case 'range': {
      if (op !== 'bt' || !Array.isArray(value) || value.length !== 2 || !value.every((v) => typeof v === 'number')) throw malformed();
      const [low, high] = value as [number, number];
      return (actual) => typeof actual === 'number' && actual >= low && actual <= high;
    }
    case 'enum': {
      if (op !== 'in' || !Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw malformed();
      return (actual) => typeof actual === 'string' && value.includes(actual);
    }
    case 'boolean':
      if (op !== 'eq' || typeof value !== 'boolean') throw malformed();
      return (actual) => actual === value;
    case 'present':
      if (op !== 'pr' && op !== 'np') throw malformed();
      return (actual) => (actual !== undefined && actual !== null) === (op === 'pr');
  }
}
