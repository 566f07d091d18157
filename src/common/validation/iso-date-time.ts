import { ValidateBy, type ValidationOptions } from 'class-validator';

// RFC 3339's profile of ISO 8601: a four-digit year, a full time and an explicit offset. Basic (`20260101T000000Z`),
// week (`2026-W01`), ordinal and expanded-year (`+275760-…`) forms are refused: they are half-understood by
// Date.parse, and the expanded years overflow PostgreSQL's timestamp.
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|[+-](\d{2}):(\d{2}))$/;

export const ISO_DATE_TIME_MESSAGE = 'must be an ISO 8601 date-time with an offset, e.g. 2026-01-31T09:30:00Z, in the years 0001-9999 (UTC)';

/**
 * The one date parser for client input (query, body, cursors): a real calendar date and time that PostgreSQL's
 * `timestamp` and JavaScript's Date both hold exactly, or undefined.
 */
export function parseIsoDateTime(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const match = ISO_DATE_TIME.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const offsetHours = match[9] === undefined ? 0 : Number(match[9]);
  const offsetMinutes = match[10] === undefined ? 0 : Number(match[10]);
  if (year < 1 || month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  // Feb 30 rolls over to March: the date is real only if it comes back as written.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  const fraction = Number(`0.${match[7] ?? '0'}`);
  date.setUTCHours(hour, minute, second, Math.floor(fraction * 1000));
  const sign = match[8].startsWith('-') ? -1 : 1;
  const instant = new Date(date.getTime() - sign * (offsetHours * 60 + offsetMinutes) * 60_000);
  // The instant too (the ORM writes it in UTC): 9999-12-31T23:00-14:00 is already in year 10000.
  const utcYear = instant.getUTCFullYear();
  return utcYear >= 1 && utcYear <= 9999 ? instant : undefined;
}

export function isIsoDateTime(value: unknown): value is string {
  return parseIsoDateTime(value) !== undefined;
}

/** class-validator decorator over parseIsoDateTime. */
export function IsIsoDateTime(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    { name: 'isIsoDateTime', validator: { validate: (value) => isIsoDateTime(value), defaultMessage: () => ISO_DATE_TIME_MESSAGE } },
    options,
  );
}
