export type Cancel = () => void;

/**
 * Counts everything asynchronous the emulator still has to do (timeline steps, webhook deliveries), so tests can
 * await `whenIdle()` instead of sleeping, and `stop()` can cancel every timer so Jest exits cleanly.
 */
export class TaskTracker {
  private pending = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private waiters: Array<() => void> = [];

  constructor(private readonly onError: (error: unknown) => void) {}

  /** Runs `task` after `delayMs`; it stays pending until the task, and any promise it returns, settles. */
  schedule(delayMs: number, task: () => void | Promise<void>): Cancel {
    this.pending++;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.run(task);
    }, delayMs);
    this.timers.add(timer);
    return () => {
      if (!this.timers.delete(timer)) return;
      clearTimeout(timer);
      this.settle();
    };
  }

  /** Counts `promise` as pending until it settles. */
  track(promise: Promise<unknown>): void {
    this.pending++;
    promise.catch(this.onError).finally(() => this.settle());
  }

  whenIdle(): Promise<void> {
    return this.pending === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Drops every scheduled task that has not started yet. */
  cancelScheduled(): void {
    for (const timer of this.timers) {
      clearTimeout(timer);
      this.settle();
    }
    this.timers.clear();
  }

  private async run(task: () => void | Promise<void>): Promise<void> {
    try {
      await task();
    } catch (error) {
      this.onError(error);
    } finally {
      this.settle();
    }
  }

  private settle(): void {
    this.pending--;
    if (this.pending > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
