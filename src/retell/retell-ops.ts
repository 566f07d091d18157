import type { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { APIConnectionError, APIError } from 'retell-sdk';
import { isRetellNotFound } from './retell-errors.js';

/** Per-request options for the SDK calls these helpers wrap: they do their own, bounded retrying. */
export const SINGLE_ATTEMPT = { maxRetries: 0 } as const;

const MAX_BACKOFF_MS = 2000;

function isTransient(error: unknown): boolean {
  if (error instanceof APIConnectionError) return true; // includes timeouts
  if (!(error instanceof APIError)) return false;
  const status = error.status ?? 0;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

function backoffMs(error: unknown, attempt: number): number {
  const header = error instanceof APIError ? error.headers?.get('retry-after') : undefined;
  const asked = header ? Number(header) * 1000 : NaN;
  // Never the hour a 429 may ask for: a client request is waiting. Past the cap we give up and report instead.
  return Math.min(Number.isFinite(asked) && asked >= 0 ? asked : 250 * 2 ** attempt, MAX_BACKOFF_MS);
}

/**
 * Retries an idempotent Retell call (a delete, or an update re-sending a full state) a few times on transient
 * failures, with short capped waits. For steps that must not be left half-done: cleaning up after a failed create,
 * or finishing a delete once the agent is gone. `op` should make a single attempt (`SINGLE_ATTEMPT`).
 */
export async function withRetries<T>(op: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await op();
    } catch (error) {
      if (attempt + 1 >= attempts || !isTransient(error)) throw error;
      await sleep(backoffMs(error, attempt));
    }
  }
}

/** A Retell delete where "already gone" (Retell's 422 for unknown ids) counts as done. */
export async function deleteAtRetell(op: () => Promise<unknown>): Promise<'deleted' | 'already gone'> {
  try {
    await op();
    return 'deleted';
  } catch (error) {
    if (isRetellNotFound(error)) return 'already gone';
    throw error;
  }
}

/**
 * What to undo at Retell if a later step fails: deleting what a create made, or re-sending the previous state after
 * an update. Runs newest first, each step retried; a step that still fails is logged with the Retell ids (an orphan
 * at Retell to clean up by hand) and never hides the error that caused the undo.
 */
export class RetellUndo {
  private readonly steps: Array<{ what: string; run: () => Promise<unknown> }> = [];

  constructor(private readonly logger: Logger) {}

  push(what: string, run: () => Promise<unknown>): void {
    this.steps.push({ what, run });
  }

  async run(): Promise<void> {
    for (const step of this.steps.reverse()) {
      try {
        await withRetries(step.run);
      } catch (error) {
        this.logger.error({ msg: `could not undo at Retell: ${step.what}`, err: error instanceof Error ? error.message : String(error) });
      }
    }
    this.steps.length = 0;
  }
}
