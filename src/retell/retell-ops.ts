import { setTimeout as sleep } from 'node:timers/promises';
import { APIConnectionError, APIError } from 'retell-sdk';

const MAX_BACKOFF_MS = 2000;

export function isTransient(error: unknown): boolean {
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
 * or finishing a delete once the agent is gone. `op` should make a single attempt (the gateway's `ONCE`).
 */
export async function withRetries<T>(op: () => Promise<T>, attempts = 3, retryable: (error: unknown) => boolean = isTransient): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await op();
    } catch (error) {
      if (attempt + 1 >= attempts || !retryable(error)) throw error;
      await sleep(backoffMs(error, attempt));
    }
  }
}
