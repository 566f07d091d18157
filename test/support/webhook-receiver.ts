import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  /** The parsed body, once `verify` accepted it. */
  json: { id: number; type: string; createdAt: string; data: Record<string, unknown> };
  status: number;
}

/**
 * A partner's receiver on 127.0.0.1 (allowed by URLS_ALLOW_PRIVATE in the tests): records every request and answers
 * with `respond(n)` for the n-th request (1-based), 204 by default; 0 holds the request unanswered.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  respond: (attempt: number, body: string) => number = () => 204;
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const status = this.respond(this.received.length + 1, body);
        this.received.push({ headers: request.headers, body, json: JSON.parse(body), status });
        // 0: never answer (a receiver that hangs, or an instance that dies while waiting for it).
        if (status !== 0) response.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Requests the receiver accepted with 2xx. */
  get accepted(): ReceivedWebhook[] {
    return this.received.filter((r) => r.status >= 200 && r.status < 300);
  }
}

/** Verifies a received request with the standardwebhooks library (throws if no signature matches `secret`). */
export function verify(secret: string, received: ReceivedWebhook): unknown {
  const headers = {
    'webhook-id': String(received.headers['webhook-id']),
    'webhook-timestamp': String(received.headers['webhook-timestamp']),
    'webhook-signature': String(received.headers['webhook-signature']),
  };
  return new Webhook(secret).verify(received.body, headers);
}

/** Polls `check` until it returns a value (not undefined/false), for at most `timeoutMs` (generous: the machine is loaded). */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}
