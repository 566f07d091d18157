import { randomUUID } from 'node:crypto';
import type { LoggerService } from '@nestjs/common';
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import type { IncomingMessage } from 'node:http';

/** Anything that could hold a credential is censored wherever it appears in a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'req.headers["x-retell-signature"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.refreshToken',
  '*.accessToken',
  '*.key',
  '*.apiKey',
  '*.sip_trunk_auth_password',
  '*.authPassword',
];

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** A query parameter whose name suggests a credential (`api_key`, `token`, `access_token`, `password`, `key`, …). */
const CREDENTIAL_NAME = /key|secret|token|pass(word|wd)?|pwd|sig(nature)?|auth|credential|session|jwt|otp/i;
const QUERY_PARAMETER = /([?&;])([^=&;#\s"'<>]+)=([^&;#\s"'<>]*)/g;
const URL_USERINFO = /(\/\/[^/\s:@]+:)[^@\s/]+@/g;

function decodedName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

/**
 * URLs are logged as received, and clients do put keys in query strings: every credential-like parameter's value (and
 * a password in `user:password@host`) becomes [REDACTED], wherever the URL appears in a line.
 */
export function redactUrlCredentials(text: string): string {
  if (!text.includes('=') && !text.includes('@')) return text;
  return text
    .replace(QUERY_PARAMETER, (whole, lead: string, name: string) => (CREDENTIAL_NAME.test(decodedName(name)) ? `${lead}${name}=[REDACTED]` : whole))
    .replace(URL_USERINFO, '$1[REDACTED]@');
}

/** Strings in plain objects (not requests, sockets or class instances), a few levels deep. */
function redactStrings(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactUrlCredentials(value);
  if (depth === 0 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => redactStrings(item, depth - 1));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactStrings(item, depth - 1)]));
}

/** Fastify's pino logger: JSON lines, a request id on every request line, credentials redacted. */
export function fastifyLoggerOptions(level: string): Pick<FastifyServerOptions, 'logger' | 'genReqId' | 'requestIdHeader'> {
  return {
    logger: {
      level,
      redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
      serializers: {
        req: (request: { method?: string; url?: string; host?: string; ip?: string; socket?: { remotePort?: number } }) => ({
          method: request.method,
          url: request.url === undefined ? undefined : redactUrlCredentials(request.url),
          host: request.host,
          remoteAddress: request.ip,
          remotePort: request.socket?.remotePort,
        }),
      },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((arg) => redactStrings(arg, 4)) as Parameters<typeof method>);
        },
      },
    },
    requestIdHeader: false,
    // A caller's own x-request-id is kept when it is harmless, so its logs and ours correlate.
    genReqId: (request: IncomingMessage) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
  };
}

/** Nest's start-up chatter (a line per module and per route, ~90 in all): debug, so `info` shows what matters. */
const START_UP_NOISE = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory']);

/** Nest's own log lines (bootstrap, our services) go through the same pino logger as the request lines. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: FastifyBaseLogger) {}

  log(message: unknown, context?: string): void {
    this.write(context !== undefined && START_UP_NOISE.has(context) ? 'debug' : 'info', message, context);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest.filter((r) => typeof r === 'string').pop() as string | undefined);
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('trace', message, context);
  }
  fatal(message: unknown, context?: string): void {
    this.write('fatal', message, context);
  }

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal', message: unknown, context?: string): void {
    if (typeof message === 'object' && message !== null) this.pino[level]({ context, ...message });
    else this.pino[level]({ context }, String(message));
  }
}
