import { DateTime } from 'luxon';
import { WEEKDAYS, type CallingWindow } from './campaign.entity.js';

/** Minutes since local midnight of `HH:mm` (`24:00` = 1440). */
export function minutesOf(time: string): number {
  const [h, m] = time.split(':').map(Number);
  return h! * 60 + m!;
}

/**
 * The first instant at or after `now` that lies inside one of the windows, in `zone`'s local time; null if the
 * windows never open (no days). Looks 8 local days ahead, which covers every weekly window. A window's local times
 * are taken as luxon resolves them on that date: a start inside a DST gap moves forward with the clock.
 */
export function nextWindowStart(now: Date, zone: string, windows: CallingWindow[]): Date | null {
  const local = DateTime.fromJSDate(now, { zone });
  let best: number | null = null;
  for (let offset = 0; offset <= 8 && best === null; offset++) {
    const day = local.startOf('day').plus({ days: offset });
    const weekday = WEEKDAYS[day.weekday - 1]!;
    for (const window of windows) {
      if (!window.days.includes(weekday)) continue;
      const start = day.plus({ minutes: minutesOf(window.start) });
      const end = day.plus({ minutes: minutesOf(window.end) });
      if (end.toMillis() <= now.getTime()) continue;
      const opens = Math.max(start.toMillis(), now.getTime());
      if (best === null || opens < best) best = opens;
    }
  }
  return best === null ? null : new Date(best);
}

export function isInWindow(now: Date, zone: string, windows: CallingWindow[]): boolean {
  return nextWindowStart(now, zone, windows)?.getTime() === now.getTime();
}
