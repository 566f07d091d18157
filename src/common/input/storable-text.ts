import type { FieldErrorDto } from '../errors/error-envelope.dto.js';

// Without the `u` flag these match UTF-16 code units, so a high surrogate not followed by a low one (or a low one not
// preceded by a high one) is found: PostgreSQL's text and jsonb cannot hold either, nor NUL.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATE_GLOBAL = new RegExp(LONE_SURROGATE.source, 'g');
const UNSTORABLE = new RegExp(`\\u0000|${LONE_SURROGATE.source}`);
const UNSTORABLE_GLOBAL = new RegExp(UNSTORABLE.source, 'g');

export const UNSTORABLE_MESSAGE = 'must not contain NUL characters or unpaired UTF-16 surrogates';

export function isStorableText(value: string): boolean {
  return !UNSTORABLE.test(value);
}

/**
 * The closest text PostgreSQL can store, for content we must keep rather than refuse (Retell's events): NUL removed,
 * each unpaired surrogate replaced by U+FFFD.
 */
export function toStorableText(value: string): string {
  return value.replaceAll('\u0000', '').replace(LONE_SURROGATE_GLOBAL, '\uFFFD');
}

/** A key that is itself unstorable is named with its bad code units escaped, so the error body stays printable. */
function printable(key: string): string {
  return key.replace(UNSTORABLE_GLOBAL, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Every string in `value` (object keys included, at any depth) that PostgreSQL could not store, as field errors under
 * dotted paths. Iterative, so it cannot overflow the stack; bodies reaching it are depth-limited anyway.
 */
export function findUnstorableText(value: unknown, root: string, limit = 20): FieldErrorDto[] {
  const found: FieldErrorDto[] = [];
  const stack: Array<[unknown, string]> = [[value, root]];
  while (stack.length > 0 && found.length < limit) {
    const [item, path] = stack.pop()!;
    if (typeof item === 'string') {
      if (!isStorableText(item)) found.push({ field: path, messages: [UNSTORABLE_MESSAGE] });
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push([item[i], join(path, String(i))]);
    } else if (typeof item === 'object' && item !== null) {
      for (const [key, child] of Object.entries(item)) {
        if (!isStorableText(key)) found.push({ field: join(path, printable(key)), messages: [UNSTORABLE_MESSAGE] });
        stack.push([child, join(path, printable(key))]);
      }
    }
  }
  return found;
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
