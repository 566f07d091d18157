import { nextWindowStart } from './calling-windows.js';
import { outcomeOf } from './call-outcome.js';
import { mergeVariables, planRound } from './campaign-dialer.js';

const weekdays = [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'] as const, start: '09:00', end: '17:00' }].map((w) => ({ ...w, days: [...w.days] }));

describe('calling windows', () => {
  it('is open now inside the window, in the zone given', () => {
    // Wednesday 2026-12-02 15:00 UTC = 10:00 in New York, 16:00 in Berlin.
    const now = new Date('2026-12-02T15:00:00Z');
    expect(nextWindowStart(now, 'America/New_York', weekdays)?.toISOString()).toBe(now.toISOString());
    expect(nextWindowStart(now, 'Europe/Berlin', weekdays)?.toISOString()).toBe(now.toISOString());
  });

  it('opens at the next local start when outside the window', () => {
    // 2026-12-02 17:30 UTC: 18:30 in Berlin (closed until Thursday 09:00 Berlin = 08:00 UTC), 12:30 in New York (open).
    const now = new Date('2026-12-02T17:30:00Z');
    expect(nextWindowStart(now, 'Europe/Berlin', weekdays)?.toISOString()).toBe('2026-12-03T08:00:00.000Z');
    expect(nextWindowStart(now, 'America/New_York', weekdays)?.toISOString()).toBe(now.toISOString());
  });

  it('skips the weekend', () => {
    // Friday 2026-12-04 18:00 in Tokyo → Monday 2026-12-07 09:00 Tokyo = 00:00 UTC.
    expect(nextWindowStart(new Date('2026-12-04T09:00:00Z'), 'Asia/Tokyo', weekdays)?.toISOString()).toBe('2026-12-07T00:00:00.000Z');
  });

  it('takes the earliest of several windows and the end as exclusive', () => {
    const windows = [
      { days: ['sat' as const], start: '10:00', end: '12:00' },
      { days: ['sat' as const], start: '08:00', end: '09:00' },
    ];
    // Saturday 2026-12-05 09:00 UTC in UTC: the 08:00–09:00 window just closed; 10:00 is next.
    expect(nextWindowStart(new Date('2026-12-05T09:00:00Z'), 'UTC', windows)?.toISOString()).toBe('2026-12-05T10:00:00.000Z');
    expect(nextWindowStart(new Date('2026-12-05T07:00:00Z'), 'UTC', windows)?.toISOString()).toBe('2026-12-05T08:00:00.000Z');
  });

  it('handles 24:00 and a zone 45 minutes off the hour', () => {
    const allDay = [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as Array<'mon'>, start: '00:00', end: '24:00' }];
    const now = new Date('2026-12-02T23:59:59Z');
    expect(nextWindowStart(now, 'Asia/Kathmandu', allDay)?.toISOString()).toBe(now.toISOString());
  });
});

describe('call outcomes', () => {
  it.each([
    ['not_connected', 'dial_no_answer', 'no_answer'],
    ['not_connected', 'user_declined', 'no_answer'],
    ['not_connected', 'dial_busy', 'busy'],
    ['ended', 'voicemail_reached', 'voicemail'],
    ['error', 'error_unknown', 'error'],
    ['not_connected', 'dial_failed', 'error'],
    ['not_connected', 'invalid_destination', 'failed'],
    ['ended', 'agent_hangup', 'completed'],
    ['ended', 'user_hangup', 'completed'],
    ['ended', null, 'completed'],
    ['not_connected', null, 'error'],
  ])('%s / %s → %s', (status, reason, outcome) => {
    expect(outcomeOf(status, reason)).toBe(outcome);
  });
});

describe('planRound (fairness)', () => {
  const campaign = (id: number, userId: number, due: number, room = Infinity, lastDialledAt = 0) => ({ id, userId, due, room, lastDialledAt });

  it('gives a small tenant a line in every round however big the other tenant is', () => {
    const plan = planRound([campaign(1, 1, 50), campaign(2, 2, 3)], 6);
    expect(plan.map((c) => c.userId)).toEqual([1, 2, 1, 2, 1, 2]);
  });

  it('hands the rest to the big tenant once the small one has nothing due', () => {
    const plan = planRound([campaign(1, 1, 50), campaign(2, 2, 1)], 5);
    expect(plan.map((c) => c.userId)).toEqual([1, 2, 1, 1, 1]);
  });

  it('starts with the tenant dialled least recently and respects each campaign\'s room', () => {
    const plan = planRound([campaign(1, 1, 50, 1, 2000), campaign(2, 2, 50, Infinity, 1000)], 4);
    expect(plan.map((c) => c.id)).toEqual([2, 1, 2, 2]);
  });

  it('alternates a tenant\'s own campaigns', () => {
    const plan = planRound([campaign(1, 1, 5), campaign(2, 1, 5)], 4);
    expect(plan.map((c) => c.id)).toEqual([1, 2, 1, 2]);
  });
});

describe('dynamic variables', () => {
  it('merges the campaign\'s with the contact\'s, the contact winning', () => {
    expect(mergeVariables({ a: '1', b: '2' }, { b: 'contact' })).toEqual({ a: '1', b: 'contact' });
    expect(mergeVariables(null, null)).toBeUndefined();
  });
});
