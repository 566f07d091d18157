import type { OpenAPIObject } from '@nestjs/swagger';
import { reasonPhrase } from '../errors/app-exceptions.js';
import { applySchemaExamples } from './schema-example.js';

const ENVELOPE = { $ref: '#/components/schemas/ErrorEnvelopeDto' };

type Operation = {
  summary?: string;
  description?: string;
  parameters?: { name: string; in: string; schema?: { type?: string } }[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
  security?: unknown[];
  'x-public'?: boolean;
  'x-jwt-only'?: boolean;
};

function envelope(description: string) {
  return { description, content: { 'application/json': { schema: ENVELOPE } } };
}

/**
 * Security and the responses every route shares, derived from what the route is rather than repeated in controllers:
 * - security follows the guard: public routes need nothing, JWT-only routes a bearer token, the rest either;
 * - 401 on every authenticated route, 403 where an API key is refused (JWT-only);
 * - 400 everywhere: the global pipe validates bodies, query and path parameters, and the input edge refuses text
 *   PostgreSQL cannot store in any query parameter or header, on any route (src/common/input);
 * - 413 and 415 wherever it takes a body (Fastify's limits, the input edge's content types), 500 everywhere.
 * A route's own description of a status (from @ApiErrors) wins.
 */
export function applyCommonResponses(document: OpenAPIObject): void {
  applySchemaExamples(document);
  for (const item of Object.values(document.paths)) {
    for (const value of Object.values(item)) {
      if (typeof value !== 'object' || value === null || !('responses' in value)) continue;
      const op = value as Operation;
      const add = (status: number, description: string) => {
        op.responses[String(status)] ??= envelope(description);
      };
      if (op['x-public']) op.security = [];
      else if (op['x-jwt-only']) op.security = [{ bearer: [] }];
      else op.security = [{ bearer: [] }, { 'api-key': [] }];
      if (!op['x-public']) add(401, 'Missing, invalid, expired or revoked credentials.');
      if (op['x-jwt-only']) add(403, 'API keys cannot manage credentials or the account: use a user’s bearer token.');
      add(400, 'Validation failed: `details` lists each field and its problems.');
      if (op.requestBody) {
        add(413, 'The body is larger than the server accepts.');
        add(415, 'The body is not `application/json`.');
      }
      add(500, 'Unexpected server error; `requestId` identifies it in the logs.');
      plainSummary(op);
      for (const [status, response] of Object.entries(op.responses)) addErrorExample(Number(status), response, exampleField(document, op));
      delete op['x-public'];
      delete op['x-jwt-only'];
    }
  }
}

/**
 * Without this every error status would show the envelope's one class-level example (a 400), so Swagger UI and
 * generated docs would claim a 404 answers "Bad Request". Each error response gets an example of its own status.
 */
function addErrorExample(status: number, response: unknown, field: { name: string; type?: string }): void {
  const media = (response as { content?: Record<string, { schema?: unknown; example?: unknown }> }).content?.['application/json'];
  if (status < 400 || !media || media.example !== undefined || JSON.stringify(media.schema) !== JSON.stringify(ENVELOPE)) return;
  const description = (response as { description?: string }).description ?? '';
  media.example = {
    statusCode: status,
    error: reasonPhrase(status),
    message: status === 400 ? 'Validation failed' : description.split(/[;:\n]| \(/)[0]!.replace(/\.$/, '') || reasonPhrase(status),
    ...(status === 400 ? { details: [{ field: field.name, messages: [`${field.name} ${MUST_BE[field.type ?? ''] ?? 'is invalid'}`] }] } : {}),
    requestId: 'b1946ac9-2f6d-4d8a-9e1b-0c3f6a1d2e4f',
    ...(status === 429 || status >= 502 ? { retryAfterSeconds: 5 } : {}),
  };
}

const MUST_BE: Record<string, string> = {
  string: 'must be a string',
  integer: 'must be an integer number',
  number: 'must be a number',
  boolean: 'must be a boolean value',
  object: 'must be an object',
  array: 'must be an array',
  header: 'must not contain NUL characters or unpaired UTF-16 surrogates',
};

/** A field the route really has, for its 400 example: the body's first required one, else its first parameter. */
function exampleField(document: OpenAPIObject, op: Operation): { name: string; type?: string } {
  type Body = { $ref?: string; required?: string[]; properties?: Record<string, { type?: string }> };
  const body = (op.requestBody as { content?: Record<string, { schema?: Body }> } | undefined)?.content?.['application/json']?.schema;
  const schema = body?.$ref ? (document.components?.schemas?.[body.$ref.split('/').pop()!] as Body) : body;
  const name = schema?.required?.[0] ?? Object.keys(schema?.properties ?? {})[0];
  if (name) return { name, type: schema?.properties?.[name]?.type };
  const parameter = op.parameters?.find((p) => p.in === 'path') ?? op.parameters?.find((p) => p.in === 'query');
  // A route without a body or parameters can still be refused at the edge for a header it cannot store.
  return parameter ? { name: parameter.name, type: parameter.schema?.type } : { name: 'headers.user-agent', type: 'header' };
}

/**
 * Swagger UI shows a summary as plain text (only descriptions are Markdown): no backticks or line breaks there. The
 * text as written, with its code spans, moves to the description when the route has none.
 */
function plainSummary(op: Operation): void {
  if (!op.summary || !/[`\n]/.test(op.summary)) return;
  if (op.summary.includes('`')) op.description ??= op.summary;
  op.summary = op.summary.replace(/`/g, '').replace(/\s*\n\s*/g, ' ');
}
