import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { sign } from 'retell-sdk';
import type { TaskTracker } from './scheduler.js';
import type { CallView } from './state.js';
import type { CallEvent } from './timeline.js';

export interface WebhookTarget {
  url: string;
  timeoutMs: number;
}

/** One delivery attempt, for tests and the control API. */
export interface WebhookDelivery {
  url: string;
  /** A call event, or `call_inbound` (the number's inbound webhook, asked before an inbound call is created). */
  event: CallEvent | 'call_inbound';
  call_id: string;
  /** 1 for the first try, up to 4 (three retries). */
  attempt: number;
  /** The receiver's HTTP status, when it answered. */
  status?: number;
  /** Why no status was received (timeout, connection refused, ...). */
  error?: string;
  /** True for the extra copy sent while the `duplicate` switch is on. */
  duplicate: boolean;
  timestamp: number;
}

/** Switches that reproduce what Retell integrators see in production. */
export interface WebhookBehaviour {
  /** Send every event twice, like Retell's retries sometimes do. */
  duplicate: boolean;
  /** Hold `call_started` back until the call's next event has been sent. */
  outOfOrder: boolean;
}

interface Job {
  target: WebhookTarget;
  event: CallEvent;
  callId: string;
  body: string;
  duplicate: boolean;
}

/** "If within 10 seconds no success status (2xx) is received, the webhook will be retried, up to 3 times." */
const MAX_ATTEMPTS = 4;

export interface WebhookDispatcherOptions {
  apiKey: string;
  tracker: TaskTracker;
  /** Wait before retry n (1-based). */
  retryDelayMs(retry: number): number;
  log(message: string): void;
}

/**
 * Delivers call events like Retell: signed with `x-retell-signature`, retried on non-2xx or no answer, and in order
 * per call without blocking: a `call_started` that fails every attempt still lets `call_ended` go.
 */
export class WebhookDispatcher {
  readonly deliveries: WebhookDelivery[] = [];
  behaviour: WebhookBehaviour = { duplicate: false, outOfOrder: false };
  /** The tail of each call's delivery chain. */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly heldBack = new Map<string, Job>();
  private abort = new AbortController();

  constructor(private readonly options: WebhookDispatcherOptions) {}

  send(target: WebhookTarget, event: CallEvent, call: CallView): void {
    // The body is fixed now: it is the call as it was when the event happened, whatever happens before delivery.
    const job: Job = { target, event, callId: call.call_id, body: JSON.stringify({ event, call }), duplicate: this.behaviour.duplicate };
    if (this.behaviour.outOfOrder && event === 'call_started') {
      this.heldBack.set(job.callId, job);
      return;
    }
    this.enqueue(job);
    this.release(job.callId);
  }

  /** Sends whatever is still held back for a call whose timeline is over. */
  release(callId: string): void {
    const held = this.heldBack.get(callId);
    if (!held) return;
    this.heldBack.delete(callId);
    this.enqueue(held);
  }

  /** Abandons queued and in-flight deliveries and forgets the log. */
  reset(): void {
    this.abort.abort();
    this.abort = new AbortController();
    this.chains.clear();
    this.heldBack.clear();
    this.deliveries.length = 0;
  }

  private enqueue(job: Job): void {
    const { signal } = this.abort;
    const previous = this.chains.get(job.callId) ?? Promise.resolve();
    const chain = previous.then(async () => {
      await this.deliver(job, false, signal);
      if (job.duplicate) await this.deliver(job, true, signal);
    });
    this.chains.set(job.callId, chain);
    this.options.tracker.track(
      chain.finally(() => {
        if (this.chains.get(job.callId) === chain) this.chains.delete(job.callId);
      }),
    );
  }

  private async deliver(job: Job, duplicate: boolean, signal: AbortSignal): Promise<void> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS && !signal.aborted; attempt++) {
      if (attempt > 1 && !(await this.pause(this.options.retryDelayMs(attempt - 1), signal))) return;
      const record: WebhookDelivery = { url: job.target.url, event: job.event, call_id: job.callId, attempt, duplicate, timestamp: Date.now() };
      try {
        // Signed per attempt, like Retell, so a retry never carries a stale timestamp.
        const signature = await sign(job.body, this.options.apiKey);
        record.status = (await postJson(job.target.url, job.body, signature, job.target.timeoutMs, signal)).status;
      } catch (error) {
        record.error = error instanceof Error ? error.message : String(error);
      }
      if (signal.aborted) return;
      this.deliveries.push(record);
      this.options.log(`webhook ${job.event} ${job.callId} → ${job.target.url} attempt ${attempt}: ${record.status ?? record.error}`);
      if (record.status !== undefined && record.status >= 200 && record.status < 300) return;
    }
  }

  /**
   * Asks a number's inbound webhook about a ringing call, as Retell does: signed, `timeoutMs` per attempt, retried
   * (up to 3 times) on a non-2xx or no answer. Resolves with the parsed answer of the first 2xx (an empty body counts
   * as `{}`), or undefined when every attempt failed (or the emulator was reset meanwhile).
   */
  async askInbound(url: string, payload: { call_inbound: Record<string, unknown> }, timeoutMs: number): Promise<Record<string, unknown> | undefined> {
    const { signal } = this.abort;
    const body = JSON.stringify({ event: 'call_inbound', ...payload });
    const callId = typeof payload.call_inbound.call_id === 'string' ? payload.call_inbound.call_id : '';
    for (let attempt = 1; attempt <= MAX_ATTEMPTS && !signal.aborted; attempt++) {
      if (attempt > 1 && !(await this.pause(this.options.retryDelayMs(attempt - 1), signal))) return undefined;
      const record: WebhookDelivery = { url, event: 'call_inbound', call_id: callId, attempt, duplicate: false, timestamp: Date.now() };
      let answer: Record<string, unknown> | undefined;
      try {
        const response = await postJson(url, body, await sign(body, this.options.apiKey), timeoutMs, signal);
        record.status = response.status;
        if (response.status >= 200 && response.status < 300) {
          const parsed: unknown = response.body.trim() === '' ? {} : JSON.parse(response.body);
          if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('the answer is not a JSON object');
          answer = parsed as Record<string, unknown>;
        }
      } catch (error) {
        record.error = error instanceof Error ? error.message : String(error);
      }
      if (signal.aborted) return undefined;
      this.deliveries.push(record);
      this.options.log(`inbound webhook ${callId} → ${url} attempt ${attempt}: ${record.error ?? record.status}`);
      if (answer) return answer;
    }
    return undefined;
  }

  /** Resolves false when the dispatcher was reset during the pause. */
  private async pause(ms: number, signal: AbortSignal): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal });
      return true;
    } catch {
      return false;
    }
  }
}

const MAX_ANSWER_BYTES = 1 << 20;

/**
 * POSTs one event and resolves with the status code and the answer's body (at most 1 MiB). Redirects are not followed
 * (a 3xx is a failed attempt), and no connection is reused, so nothing outlives the delivery.
 */
function postJson(url: string, body: string, signature: string, timeoutMs: number, signal: AbortSignal): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = (target.protocol === 'https:' ? https : http).request(
      target,
      {
        method: 'POST',
        agent: false,
        signal,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'Retell-Emulator-Webhook/1.0',
          'x-retell-signature': signature,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
        });
        response.once('end', () => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
        response.once('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
      },
    );
    const timer = setTimeout(() => request.destroy(new Error(`no response within ${timeoutMs} ms`)), timeoutMs);
    request.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.end(body);
  });
}
