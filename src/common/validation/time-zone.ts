import { IANAZone } from 'luxon';

/**
 * The canonical IANA name of a time zone (`europe/berlin` → `Europe/Berlin`), or undefined when it is unknown. Only
 * names are accepted, not fixed offsets like `UTC+5`: a name keeps daylight saving right.
 */
export function canonicalTimeZone(name: string): string | undefined {
  if (name.length === 0 || name.length > 64 || !IANAZone.isValidZone(name)) return undefined;
  return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
}
