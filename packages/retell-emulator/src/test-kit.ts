import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Retell, { type ClientOptions } from 'retell-sdk';
import { RetellEmulator, type RetellEmulatorOptions } from './emulator.js';
import { conformanceFetch } from './openapi-conformance.js';

/**
 * Helpers for tests that run against the emulator: an emulator with an SDK client whose every response is checked
 * against Retell's OpenAPI document, and a webhook receiver. Free of Jest globals so any test runner can use them.
 */

export const TEST_API_KEY = 'key_emulator_test_0123456789abcdef';

export interface EmulatorHarness {
  emulator: RetellEmulator;
  baseURL: string;
  /** OpenAPI violations seen by clients made with `client()`; a test should end with this empty. */
  violations: string[];
  /** A real `retell-sdk` client for the emulator. Retries are off unless asked for, so faults surface directly. */
  client(options?: Partial<ClientOptions>): Retell;
  stop(): Promise<void>;
}

/** `port`: where to listen (default any free port), e.g. the port of an earlier emulator on the same `stateDir`. */
export async function startEmulator({ port = 0, ...options }: Partial<RetellEmulatorOptions> & { port?: number } = {}): Promise<EmulatorHarness> {
  const emulator = new RetellEmulator({ apiKey: TEST_API_KEY, timing: 'fast', ...options });
  const baseURL = await emulator.start(port);
  const violations: string[] = [];
  return {
    emulator,
    baseURL,
    violations,
    client: (clientOptions = {}) =>
      new Retell({
        apiKey: options.apiKey ?? TEST_API_KEY,
        baseURL,
        maxRetries: 0,
        fetch: conformanceFetch((violation) => violations.push(violation)),
        ...clientOptions,
      }),
    stop: () => emulator.stop(),
  };
}

export interface ReceivedWebhook {
  /** Exactly the bytes received, as `Retell.verify` needs them. */
  rawBody: string;
  signature: string | undefined;
  body: { event: string; call: { call_id: string } & Record<string, unknown>; call_inbound?: Record<string, unknown> };
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Statuses for the next requests, in order; afterwards it answers 204. `'hang'` never answers. */
  respondWith(...statuses: Array<number | 'hang'>): void;
  /** Answers the next requests with 200 and these JSON bodies, in order (inbound webhooks). */
  answerWith(...bodies: unknown[]): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const planned: Array<number | 'hang' | { json: unknown }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const signature = req.headers['x-retell-signature'];
      received.push({ rawBody, signature: typeof signature === 'string' ? signature : undefined, body: JSON.parse(rawBody) });
      const status = planned.shift() ?? 204;
      if (typeof status === 'object') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(status.json));
      else if (status !== 'hang') res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/retell`,
    received,
    respondWith: (...statuses) => planned.push(...statuses),
    answerWith: (...bodies) => planned.push(...bodies.map((json) => ({ json }))),
    close: () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      return closed;
    },
  };
}
