import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { addressProblem, publicUrlProblem } from '../common/urls/public-url.js';

export interface DeliveryOutcome {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  /** The response body (at most 64 KiB, UTF-8), only when `readBody` was asked for. */
  body?: string;
}

const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * A DNS lookup that only hands out addresses passing the same checks as URLs (no loopback, private, link-local,
 * metadata, …): the connection is made to an address that was checked, so a public name that resolves — or is
 * re-bound between check and connect — to a private address is refused here, not just at creation time.
 */
export function publicOnlyLookup(resolve: typeof dnsLookup = dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as unknown as LookupAddress[];
      const allowed = list.filter((entry) => addressProblem(entry.address) === undefined);
      if (allowed.length === 0) {
        const refused = Object.assign(new Error(`refused: ${hostname} resolves only to non-public addresses (${list.map((a) => a.address).join(', ')})`), {
          code: 'ENOTPUBLIC',
        });
        return callback(refused, '', 0);
      }
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
      callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}

/**
 * One POST to a partner's endpoint: no redirects (node's http client never follows them; a 3xx is a failure), an
 * overall time limit, the response body read (bounded) and dropped. Never throws: every outcome is a DeliveryOutcome.
 */
export async function postWebhook(
  url: string,
  headers: Record<string, string>,
  body: string,
  options: { timeoutMs: number; allowPrivate: boolean; resolve?: typeof dnsLookup; readBody?: boolean },
): Promise<DeliveryOutcome> {
  const started = performance.now();
  const done = (ok: boolean, statusCode: number | null, error: string | null): DeliveryOutcome => ({
    ok,
    statusCode,
    error: error && error.slice(0, 500),
    durationMs: Math.round(performance.now() - started),
  });
  const problem = publicUrlProblem(url, { allowPrivate: options.allowPrivate });
  if (problem) return done(false, null, `url ${problem}`);
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise<DeliveryOutcome>((resolvePromise) => {
    let settled = false;
    const finish = (outcome: DeliveryOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolvePromise(outcome);
    };
    const request = client.request(
      target,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'retell-agents-webhooks/1', ...headers, 'content-length': String(Buffer.byteLength(body)) },
        ...(options.allowPrivate ? {} : { lookup: publicOnlyLookup(options.resolve) }),
        agent: false,
      },
      (response) => {
        let received = 0;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > MAX_RESPONSE_BYTES) response.destroy();
          else if (options.readBody) chunks.push(chunk);
        });
        const status = response.statusCode ?? 0;
        const result = () => {
          const outcome = done(status >= 200 && status < 300, status, status >= 200 && status < 300 ? null : `HTTP ${status}`);
          finish(options.readBody ? { ...outcome, body: Buffer.concat(chunks).toString('utf8') } : outcome);
        };
        response.on('end', result);
        response.on('close', result);
        response.on('error', result);
      },
    );
    const timer = setTimeout(() => {
      request.destroy();
      finish(done(false, null, `timed out after ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    request.on('error', (error: NodeJS.ErrnoException) => finish(done(false, null, error.message || error.code || 'connection failed')));
    request.end(body);
  });
}
