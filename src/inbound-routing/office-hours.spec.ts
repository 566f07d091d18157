import { isOpen, minutesOf } from './office-hours.js';

const weekdays = [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'] as const, start: '09:00', end: '17:30' }].map((r) => ({ ...r, days: [...r.days] }));

describe('office hours', () => {
  it('reads HH:mm, 24:00 included', () => {
    expect(minutesOf('00:00')).toBe(0);
    expect(minutesOf('17:30')).toBe(1050);
    expect(minutesOf('24:00')).toBe(1440);
  });

  it('judges the hour in the routing time zone, not UTC', () => {
    // Monday 2026-12-07 16:00 UTC = 08:00 in Los Angeles (closed) and 17:00 in Berlin (open).
    const now = new Date('2026-12-07T16:00:00Z');
    expect(isOpen(weekdays, 'America/Los_Angeles', now)).toBe(false);
    expect(isOpen(weekdays, 'Europe/Berlin', now)).toBe(true);
    expect(isOpen(weekdays, 'UTC', now)).toBe(true);
  });

  it('includes the start and excludes the end', () => {
    expect(isOpen(weekdays, 'UTC', new Date('2026-12-07T09:00:00Z'))).toBe(true);
    expect(isOpen(weekdays, 'UTC', new Date('2026-12-07T17:29:59Z'))).toBe(true);
    expect(isOpen(weekdays, 'UTC', new Date('2026-12-07T17:30:00Z'))).toBe(false);
  });

  it('uses the local weekday: Friday evening in New York is Saturday in UTC', () => {
    const fridayEveningNy = new Date('2026-12-12T00:30:00Z'); // Fri 19:30 in New York
    const late = [{ days: ['fri' as const], start: '18:00', end: '24:00' }];
    expect(isOpen(late, 'America/New_York', fridayEveningNy)).toBe(true);
    expect(isOpen(late, 'UTC', fridayEveningNy)).toBe(false);
  });

  it('follows daylight saving', () => {
    // 2026-03-30 (Mon) 07:30 UTC = 09:30 in Berlin (CEST, +2); a week earlier 07:30 UTC was 08:30 (CET, +1).
    expect(isOpen(weekdays, 'Europe/Berlin', new Date('2026-03-30T07:30:00Z'))).toBe(true);
    expect(isOpen(weekdays, 'Europe/Berlin', new Date('2026-03-23T07:30:00Z'))).toBe(false);
  });

  it('is closed with no hours at all', () => {
    expect(isOpen([], 'UTC', new Date())).toBe(false);
  });
});
