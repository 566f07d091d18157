import { DateTime } from 'luxon';
import { WEEKDAYS, type OfficeHours } from './inbound-routing.entity.js';

/** `HH:mm` → minutes since midnight (`24:00` = 1440, allowed as an end). */
export function minutesOf(time: string): number {
  const [hours, minutes] = time.split(':').map(Number);
  return hours! * 60 + minutes!;
}

/**
 * Whether `now` falls in one of the ranges, read in `timezone` (luxon, so daylight saving is the zone's). Ranges never
 * cross midnight (the API refuses `start >= end`): a night shift is two ranges, e.g. mon 22:00–24:00 and tue 00:00–06:00.
 */
export function isOpen(hours: readonly OfficeHours[], timezone: string, now: Date): boolean {
  const local = DateTime.fromJSDate(now, { zone: timezone });
  if (!local.isValid) return false;
  const day = WEEKDAYS[local.weekday - 1]!;
  const minute = local.hour * 60 + local.minute;
  return hours.some((range) => range.days.includes(day) && minutesOf(range.start) <= minute && minute < minutesOf(range.end));
}
