import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendEnvelope } from '../errors/all-exceptions.filter.js';
import { ApiException, reasonPhrase, ValidationFailedException } from '../errors/app-exceptions.js';
import type { FieldErrorDto } from '../errors/error-envelope.dto.js';
import { exceedsJsonDepth, JSON_MAX_DEPTH } from './json-body.js';
import { findUnstorableText } from './storable-text.js';

export interface RouteInputRules {
  /**
   * Media types a request body may have (lower-case, no parameters); default `application/json` only. A route taking
   * another type also needs a parser for it (`app.useBodyParser`), since Fastify parses only JSON and text.
   */
  contentTypes?: readonly string[];
  /** Refuse strings PostgreSQL cannot store (NUL, lone surrogates) with a 400; default true. */
  storableText?: boolean;
  /** Deepest JSON nesting accepted; default JSON_MAX_DEPTH. */
  maxJsonDepth?: number;
}

const DEFAULT_CONTENT_TYPES: readonly string[] = ['application/json'];

/**
 * The one place a route departs from the edge's defaults, keyed by `METHOD /route/pattern` as Fastify knows it
 * (e.g. `POST /agents/:agentId/calls`).
 */
export const ROUTE_INPUT_RULES: Readonly<Record<string, RouteInputRules>> = {
  // Retell's content, not a client's: a 400 would only make Retell retry the same bytes. The webhook service stores
  // what it can, records what it dropped and answers 2xx.
  // Its `call.metadata` echoes what a partner sent (at most JSON_MAX_DEPTH - 1 levels inside a call request) two
  // levels further down, so it gets room to spare.
  'POST /webhooks/retell': { storableText: false, maxJsonDepth: 2 * JSON_MAX_DEPTH },
  // Contacts arrive as a JSON array or a CSV stream (registerCsvBodyParser hands the stream to the route, which checks
  // every row's text with the same rules as POST /contacts).
  'POST /contacts/import': { contentTypes: ['application/json', 'text/csv'] },
};

const isStream = (body: unknown): boolean => typeof (body as { pipe?: unknown } | null)?.pipe === 'function';

function rulesFor(request: FastifyRequest): RouteInputRules {
  return ROUTE_INPUT_RULES[`${request.method} ${request.routeOptions.url ?? ''}`] ?? {};
}

function hasBody(request: FastifyRequest): boolean {
  // Fastify never parses the body of a GET or HEAD; such a body reaches nothing.
  if (request.method === 'GET' || request.method === 'HEAD') return false;
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Checks every request before any handler, guard or pipe runs (Fastify hooks run before Nest's route handler):
 * 1. a body must be `application/json` (415 otherwise): a cross-site HTML form cannot post one without a CORS
 *    preflight, and the contract documents JSON only;
 * 2. JSON nested deeper than JSON_MAX_DEPTH is a 400 before it is parsed; an empty JSON body counts as no body, so
 *    `content-type: application/json` on a bodiless POST (e.g. publish) is fine;
 * 3. a NUL or lone surrogate anywhere in the body (keys included), the query, the path parameters or a header is a
 *    400 naming the field: PostgreSQL cannot store it, and nothing may reach the database or Retell first.
 */
export function registerInputEdge(app: NestFastifyApplication, bodyLimit: number): void {
  const fastify = app.getHttpAdapter().getInstance();
  // Fastify's own JSON parser after the depth scan: it refuses `__proto__` and `constructor.prototype` keys.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser('application/json', { bodyLimit }, (request, body, done) => {
    if (body.length === 0) return done(null, undefined);
    const maxDepth = rulesFor(request as FastifyRequest).maxJsonDepth ?? JSON_MAX_DEPTH;
    if (exceedsJsonDepth(body, maxDepth)) {
      return done(new ValidationFailedException([{ field: 'body', messages: [`must not be nested deeper than ${maxDepth} levels`] }]), undefined);
    }
    parseJson(request as never, body as never, done);
  });

  fastify.addHook('preParsing', async (request) => {
    if (!hasBody(request)) return;
    const [mediaType, ...parameters] = (request.headers['content-type'] ?? '').split(';').map((part) => part.trim().toLowerCase());
    const allowed = rulesFor(request).contentTypes ?? DEFAULT_CONTENT_TYPES;
    const charset = parameters.find((p) => p.startsWith('charset='))?.slice('charset='.length).replace(/"/g, '');
    if (!allowed.includes(mediaType) || (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')) {
      throw new ApiException(415, `The body must be ${allowed.join(' or ')} (UTF-8)`);
    }
  });

  fastify.addHook('preValidation', async (request) => {
    if (rulesFor(request).storableText === false) return;
    const problems: FieldErrorDto[] = [
      ...findUnstorableText(request.params, ''),
      ...findUnstorableText(request.query, ''),
      ...findUnstorableText(request.headers, 'headers'),
      // A streamed body (CSV) is checked by its route as it is read.
      ...(isStream(request.body) ? [] : findUnstorableText(request.body, '')),
    ];
    if (problems.length > 0) throw new ValidationFailedException(problems);
  });
}

/**
 * Fastify's `frameworkErrors`: a URL that is not valid percent-encoded UTF-8 (e.g. `%ED%A0%80`, a lone surrogate) or a
 * path parameter over Fastify's length limit is refused before routing, where Nest's filter cannot see it. Both are
 * the client's malformed path: a 400 in the envelope, like every other bad input.
 */
export function onFrameworkError(error: Error & { code?: string; statusCode?: number }, request: FastifyRequest, reply: FastifyReply): void {
  const client = error.code === 'FST_ERR_BAD_URL' || error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  const status = client ? 400 : 500;
  if (!client) request.log.error({ err: { type: error.name, message: error.message, code: error.code } }, 'framework error');
  // No route, so no onSend hook: the request id header is set here.
  reply.header('x-request-id', request.id);
  sendEnvelope(
    reply,
    {
      statusCode: status,
      error: reasonPhrase(status),
      message: client ? 'Validation failed' : 'Internal server error',
      ...(client ? { details: [{ field: 'path', messages: [error.code === 'FST_ERR_BAD_URL' ? 'is not valid percent-encoded UTF-8' : 'has a segment that is too long'] }] } : {}),
    },
    request.id,
  );
}
