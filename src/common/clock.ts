import { Global, Injectable, Module } from '@nestjs/common';

/**
 * "Now", as one injectable provider: rules that depend on the hour read it here — inbound routing's office hours, the
 * campaign dialer's calling windows, start times and retry delays — so a test can set the time it needs instead of
 * waiting for it (`travel`, `advance`, or replacing `now`). Leases and rate limits keep the real clock: they guard
 * against dead instances, not schedules.
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

/** One clock for the whole app (global), so a test that sets the time sets it for every rule that reads it. */
@Global()
@Module({ providers: [Clock], exports: [Clock] })
export class ClockModule {}
