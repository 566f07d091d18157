/**
 * JSON bodies nested deeper than this are refused with a 400 before they are parsed: class-transformer,
 * class-validator, the request hashing and the ORM all recurse, and 10,000 levels (about 60 KB) overflow their stacks.
 * Legitimate bodies here (tool configurations, metadata, Retell's events) stay well under 10 levels.
 */
export const JSON_MAX_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;

/**
 * The deepest nesting of objects and arrays in raw JSON bytes, stopping as soon as `max` is exceeded. One pass, no
 * recursion: brackets inside strings are skipped (UTF-8 continuation bytes are all >= 0x80, so they never look like
 * structure). Malformed JSON is not judged here; the parser that runs next rejects it.
 */
export function exceedsJsonDepth(body: Buffer, max = JSON_MAX_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      if (++depth > max) return true;
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      depth--;
    }
  }
  return false;
}
