/** A campaign's schedule and retry policy as stored (JSON columns of `campaigns`). */

/** What a target's call can end as, and so what a retry policy can name. */
export const RETRYABLE_OUTCOMES = ['no_answer', 'busy', 'voicemail', 'error'] as const;
export type RetryableOutcome = (typeof RETRYABLE_OUTCOMES)[number];

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A calling window: on these local week days, from `start` to `end` (HH:mm, `end` exclusive; `24:00` = midnight). */
export interface CallingWindow {
  days: Weekday[];
  start: string;
  end: string;
}

export interface CampaignSchedule {
  /** Not before this instant (null: as soon as it is started). */
  startAt: string | null;
  /** Used for targets whose contact has no time zone. */
  timezone: string;
  windows: CallingWindow[];
}

export interface RetryPolicy {
  maxAttempts: number;
  on: RetryableOutcome[];
  delayMinutes: number;
}

