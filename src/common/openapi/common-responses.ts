import type { OpenAPIObject } from '@nestjs/swagger';

const ENVELOPE = { $ref: '#/components/schemas/ErrorEnvelopeDto' };

type Operation = {
  parameters?: unknown[];
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
 * - 400 wherever the route takes a body, query or path parameters (validated by the global pipe);
 * - 413 and 415 wherever it takes a body (Fastify's limits and parsers), 500 everywhere.
 * A route's own description of a status (from @ApiErrors) wins.
 */
export function applyCommonResponses(document: OpenAPIObject): void {
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
      if (op.requestBody || (op.parameters?.length ?? 0) > 0) add(400, 'Validation failed: `details` lists each field and its problems.');
      if (op.requestBody) {
        add(413, 'The body is larger than the server accepts.');
        add(415, 'The body is not `application/json`.');
      }
      add(500, 'Unexpected server error; `requestId` identifies it in the logs.');
      delete op['x-public'];
      delete op['x-jwt-only'];
    }
  }
}
