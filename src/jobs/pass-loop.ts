import type { Logger } from '@nestjs/common';
import type { BackgroundLoop } from './jobs.service.js';

export interface PassLoopOptions {
  /** The work: resolves to how long to sleep before the next pass (0: at once, there is more). */
  pass: () => Promise<number>;
  /** How long to sleep after a pass that failed (it is logged). */
  retryMs: () => number;
  /** After wake(), the next pass still starts at least this long after the previous one (batches a stream of wakes). */
  minGapMs?: number;
  logger: Logger;
  /** For the failure log, e.g. 'outbox relay'. */
  name: string;
}

/**
 * The loop of a background worker (the outbox relay, the campaign dialer): one pass at a time until stopped, sleeping
 * between passes as long as the pass asked; wake() ends a sleep early (new work was announced) and is not lost when
 * it comes during a pass; stop() ends a sleep and waits for the pass under way. No database work of its own.
 */
export class PassLoop implements BackgroundLoop {
  private running = false;
  private current: Promise<void> | undefined;
  private woken = false;
  private timer: NodeJS.Timeout | undefined;
  private endSleep: (() => void) | undefined;
  private wakeable = false;

  constructor(private readonly options: PassLoopOptions) {}

  start(): void {
    this.running = true;
    this.current = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.endSleep?.();
    await this.current;
  }

  wake(): void {
    this.woken = true;
    if (this.wakeable) this.endSleep?.();
  }

  private async loop(): Promise<void> {
    const minGapMs = this.options.minGapMs ?? 0;
    let lastPassAt = 0;
    while (this.running) {
      this.woken = false;
      lastPassAt = Date.now();
      let delay: number;
      try {
        delay = await this.options.pass();
      } catch (error) {
        if (this.running) this.options.logger.error({ msg: `${this.options.name} pass failed; retrying`, error: (error as Error).message });
        delay = this.options.retryMs();
      }
      if (delay <= 0 || !this.running) continue;
      if (!this.woken) await this.sleep(delay, true);
      // Woken (now or during the pass): at once, but not sooner than the gap after the last pass.
      const gap = lastPassAt + minGapMs - Date.now();
      if (this.woken && gap > 0 && this.running) await this.sleep(gap, false);
    }
  }

  /** Sleeps `ms`; stop() ends it, and so does wake() when `wakeable`. */
  private async sleep(ms: number, wakeable: boolean): Promise<void> {
    await new Promise<void>((resolve) => {
      this.endSleep = resolve;
      this.wakeable = wakeable;
      this.timer = setTimeout(resolve, ms);
    });
    clearTimeout(this.timer);
    this.endSleep = undefined;
    this.wakeable = false;
  }
}
