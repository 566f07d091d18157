import type { IncomingMessage, ServerResponse } from 'node:http';

/** The messages Retell documents for each error status (OpenAPI `components.responses`). */
const RETELL_ERROR_MESSAGES: Readonly<Record<number, string>> = {
  400: 'Invalid request format, please check API reference.',
  401: 'API key is missing or invalid.',
  402: 'Trial has ended, please add payment method.',
  403: 'Forbidden',
  404: 'The requested resource was not found.',
  409: 'Conflict',
  412: 'Precondition failed for conditional update.',
  413: 'Request body too large.',
  422: 'Cannot find requested asset under given api key.',
  429: 'Account rate limited, please throttle your requests.',
  500: 'An unexpected server error occurred.',
};

function retellErrorMessage(status: number): string {
  return RETELL_ERROR_MESSAGES[status] ?? (status >= 500 ? RETELL_ERROR_MESSAGES[500]! : 'Request failed.');
}

/** An error answered with Retell's error envelope `{status: 'error', message}`. */
export class RetellApiError extends Error {
  constructor(
    readonly status: number,
    message: string = retellErrorMessage(status),
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string): RetellApiError => new RetellApiError(400, message);

/** Retell answers 422 (not 404) when an id does not exist under the API key. */
export const assetNotFound = (): RetellApiError => new RetellApiError(422);

/** A non-JSON body (the emulator's fake recordings and call logs). */
export class RawBody {
  constructor(
    readonly contentType: string,
    readonly data: Buffer | string,
  ) {}
}

export interface Reply {
  status: number;
  /** JSON unless a `RawBody`; `undefined` means an empty body (deletes answer 204, publish 200 with nothing). */
  body?: unknown;
  headers?: Readonly<Record<string, string>>;
}

export const ok = (body: unknown): Reply => ({ status: 200, body });
export const created = (body: unknown): Reply => ({ status: 201, body });
export const noContent = (): Reply => ({ status: 204 });
export const emptyOk = (): Reply => ({ status: 200 });

export function errorReply(error: RetellApiError): Reply {
  return { status: error.status, body: { status: 'error', message: error.message }, headers: error.headers };
}

export function send(res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string | number> = { ...reply.headers };
  if (reply.body === undefined) {
    headers['content-length'] = 0;
    res.writeHead(reply.status, headers).end();
    return;
  }
  const raw = reply.body instanceof RawBody;
  const payload = raw ? (reply.body as RawBody).data : JSON.stringify(reply.body);
  headers['content-type'] = raw ? (reply.body as RawBody).contentType : 'application/json; charset=utf-8';
  headers['content-length'] = Buffer.byteLength(payload);
  res.writeHead(reply.status, headers).end(payload);
}

/**
 * Reads the whole body. Past `maxBytes` it stops buffering but keeps draining, so the client gets a clean 413
 * instead of a broken pipe.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    req.once('end', () => {
      if (size > maxBytes) reject(new RetellApiError(413, `Request body exceeds ${maxBytes} bytes.`));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    // A client that hangs up mid-body never sends 'end'; settle anyway so nothing waits forever.
    req.once('close', () => {
      if (!req.complete) reject(new RetellApiError(400, 'The request was aborted.'));
    });
    req.once('error', reject);
  });
}

/** Every Retell body is a JSON object; an empty body counts as `{}` (the SDK sends none for some POSTs). */
export function parseJsonObject(raw: string): Record<string, unknown> {
  if (raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw badRequest(retellErrorMessage(400));
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw badRequest('Request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}
