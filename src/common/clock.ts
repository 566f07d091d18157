import { Injectable } from '@nestjs/common';

/**
 * The time the dialer reads for calling windows, start times and retry delays. In production it is the system clock;
 * a test moves it (`travel`) to cross a window or a retry delay without waiting. Leases and rate limits keep the real
 * clock: they guard against dead instances, not schedules.
 */
@Injectable()
export class Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /** Tests: from now on, `now()` is `to` plus the real time that passes. */
  travel(to: Date): void {
    this.offsetMs = to.getTime() - Date.now();
  }

  /** Tests: move the clock forward. */
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
