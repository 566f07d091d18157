import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { CONTROL_PATH } from './control.js';
import type { ActiveFault, FaultInjector } from './faults.js';
import { errorReply, parseJsonObject, readBody, RetellApiError, send, type Reply } from './http.js';
import type { Router } from './router.js';

/** Generous for any Retell payload (prompts are capped at 32k tokens), small enough to refuse abuse. */
const MAX_BODY_BYTES = 1_000_000;

export interface EmulatorServerDeps {
  apiKey: string;
  api: Router;
  control: Router;
  faults: FaultInjector;
  log(message: string): void;
  /** After every request that may have changed the workspace (any method but GET and HEAD). */
  changed(): void;
}

/**
 * The HTTP front of the emulator. Per request: control API, else injected fault (before auth, so faults also hit
 * unauthenticated requests and never touch state), then route, auth, body and handler. Every failure becomes a
 * Retell-style error reply; nothing a client sends can crash it.
 */
export class EmulatorServer {
  private server: Server | undefined;
  /** Responses swallowed by `timeout` faults. */
  private readonly held = new Set<ServerResponse>();
  /** Aborts `latency` waits on reset and stop. */
  private releaseController = new AbortController();

  constructor(private readonly deps: EmulatorServerDeps) {}

  async listen(port: number, host: string): Promise<string> {
    if (this.server) throw new Error('The Retell emulator is already started.');
    const server = http.createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    const printableHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${printableHost}:${address.port}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.releaseHeld();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  /** Lets go of requests held by `timeout` and `latency` faults (their sockets are destroyed). */
  releaseHeld(): void {
    this.releaseController.abort();
    this.releaseController = new AbortController();
    for (const res of this.held) res.socket?.destroy();
    this.held.clear();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const startedAt = Date.now();
    res.once('finish', () => {
      this.deps.log(`${method} ${req.url} → ${res.statusCode} (${Date.now() - startedAt} ms)`);
      if (method !== 'GET' && method !== 'HEAD') this.deps.changed();
    });
    try {
      const { pathname, searchParams } = new URL(req.url ?? '/', 'http://emulator.invalid');
      const isControl = pathname.startsWith(`${CONTROL_PATH}/`);
      const fault = isControl ? undefined : this.deps.faults.take(method, pathname);
      if (fault && !(await this.applyFault(fault, req, res))) return;
      const match = (isControl ? this.deps.control : this.deps.api).match(method, pathname);
      if (!match) throw new RetellApiError(404);
      if (!isControl && !this.isAuthorized(req)) throw new RetellApiError(401);
      const body = parseJsonObject(await readBody(req, MAX_BODY_BYTES));
      send(res, await match.handler({ params: match.params, query: searchParams, body }));
    } catch (error) {
      send(res, this.toReply(error));
    }
  }

  private isAuthorized(req: IncomingMessage): boolean {
    const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    return match?.[1] === this.deps.apiKey;
  }

  private toReply(error: unknown): Reply {
    if (error instanceof RetellApiError) return errorReply(error);
    this.deps.log(`unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return errorReply(new RetellApiError(500));
  }

  /** Resolves true when the request should go on to be handled normally (a `latency` fault). */
  private async applyFault(fault: ActiveFault, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    this.deps.log(`fault ${fault.kind} on ${req.method} ${req.url}`);
    switch (fault.kind) {
      case 'status': {
        const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
        send(res, errorReply(new RetellApiError(fault.status!, undefined, headers)));
        return false;
      }
      case 'reset':
        req.socket.destroy();
        return false;
      case 'timeout':
        this.held.add(res);
        res.once('close', () => this.held.delete(res));
        return false;
      case 'latency':
        try {
          await sleep(fault.latencyMs ?? 0, undefined, { signal: this.releaseController.signal });
          return true;
        } catch {
          req.socket.destroy();
          return false;
        }
    }
  }
}
