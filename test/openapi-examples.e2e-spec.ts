import Retell from 'retell-sdk';
import { EMULATOR_API_KEY } from '../src/retell/retell-client.provider.js';
import { bootTestApp, type TestApp } from './support/app.js';

type Schema = {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  readOnly?: boolean;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  required?: string[];
};
type Parameter = { name: string; in: 'path' | 'query' | 'header'; required?: boolean; example?: unknown; schema?: Schema };
type Operation = {
  summary?: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema; example?: unknown }> };
  responses: Record<string, { content?: Record<string, { example?: { details?: { field: string }[] } }> }>;
  security?: unknown[];
};
type Document = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

/**
 * The order a new user would go in, so that every path parameter names a resource made by an earlier step and every
 * delete comes after the reads. Every operation of the document must be here: a route added later adds itself.
 */
const JOURNEY = [
  'GET /health',
  'POST /auth/register',
  'POST /auth/login',
  'POST /auth/refresh',
  'GET /users/me',
  'PATCH /users/me',
  'POST /api-keys',
  'GET /api-keys',
  'GET /api-keys/{id}',
  'GET /voices',
  'POST /agents',
  'GET /agents',
  'GET /agents/{id}',
  'PATCH /agents/{id}',
  'GET /agents/{agentId}/llm-configuration',
  'PATCH /agents/{agentId}/llm-configuration',
  'POST /agents/{agentId}/tools',
  'GET /agents/{agentId}/tools',
  'GET /agents/{agentId}/tools/{toolId}',
  'PATCH /agents/{agentId}/tools/{toolId}',
  'POST /agents/{id}/publish',
  'POST /agents/{agentId}/phone-numbers',
  'POST /agents/{agentId}/phone-numbers/import',
  'GET /phone-numbers',
  'GET /phone-numbers/{id}',
  'PATCH /phone-numbers/{id}',
  'PUT /phone-numbers/{id}/inbound-routing',
  'GET /phone-numbers/{id}/inbound-routing',
  'POST /agents/{agentId}/calls',
  'POST /agents/{agentId}/web-calls',
  'GET /calls',
  'GET /calls/{id}',
  'POST /calls/{id}/refresh',
  'POST /webhooks/retell',
  'POST /webhooks/retell/inbound',
  'POST /contacts',
  'GET /contacts',
  'GET /contacts/{id}',
  'PATCH /contacts/{id}',
  'POST /contacts/import',
  'GET /analytics/calls',
  'POST /campaigns',
  'GET /campaigns',
  'GET /campaigns/{id}',
  'POST /campaigns/{id}/start',
  'GET /campaigns/{id}/targets',
  'POST /campaigns/{id}/pause',
  'POST /campaigns/{id}/resume',
  'POST /campaigns/{id}/cancel',
  'POST /webhook-endpoints',
  'GET /webhook-endpoints',
  'GET /webhook-endpoints/{id}',
  'PATCH /webhook-endpoints/{id}',
  'POST /webhook-endpoints/{id}/rotate-secret',
  'POST /webhook-endpoints/{id}/test',
  'GET /events',
  'GET /events/{id}',
  'GET /webhook-endpoints/{id}/deliveries',
  'POST /webhook-endpoints/{id}/deliveries/{deliveryId}/retry',
  'DELETE /webhook-endpoints/{id}',
  'DELETE /contacts/{id}',
  'DELETE /agents/{agentId}/tools/{toolId}',
  'DELETE /phone-numbers/{id}/inbound-routing',
  'DELETE /phone-numbers/{id}',
  'DELETE /agents/{id}',
  'DELETE /api-keys/{id}',
  'DELETE /users/me',
];

function resolve(document: Document, schema: Schema): Schema {
  return schema.$ref ? resolve(document, document.components.schemas[schema.$ref.split('/').pop()!]!) : schema;
}

/**
 * The body Swagger UI fills in for "Try it out": a schema's own `example` as it is; otherwise an object of every
 * property's sample (optional ones included), and type placeholders ("string", 0, `additionalProp1`) where nothing
 * says better — which is why every request field needs an example that works together with the others.
 */
function sample(document: Document, input: Schema): unknown {
  const schema = resolve(document, input);
  if (schema.example !== undefined) return schema.example;
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map((part) => sample(document, part) as object));
  const alternative = schema.oneOf?.[0] ?? schema.anyOf?.[0];
  if (alternative) return sample(document, alternative);
  if (schema.enum) return schema.enum[0];
  switch (schema.type) {
    case 'object': {
      if (!schema.properties) return { additionalProp1: typeof schema.additionalProperties === 'object' ? sample(document, schema.additionalProperties) : {} };
      const entries = Object.entries(schema.properties).filter(([, property]) => !property.readOnly);
      return Object.fromEntries(entries.map(([name, property]) => [name, sample(document, property)]));
    }
    case 'array':
      return [sample(document, schema.items ?? {})];
    case 'string':
      return schema.format === 'date-time' ? new Date().toISOString() : 'string';
    case 'integer':
    case 'number':
      return 0;
    case 'boolean':
      return true;
    default:
      return undefined;
  }
}

function operations(document: Document): [string, Operation][] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => [`${method.toUpperCase()} ${path}`, operation] as [string, Operation]),
  );
}

/** Issue 12, item 6: every request example of the OpenAPI document succeeds when executed, in journey order. */
describe("the OpenAPI document's request examples (e2e)", () => {
  let t: TestApp;
  let document: Document;

  beforeAll(async () => {
    t = await bootTestApp();
    document = (await t.http.get('/docs-json').expect(200)).body as Document;
  });
  afterAll(async () => {
    await t.close();
  });

  it('covers every operation of the document', () => {
    const uncovered = operations(document)
      .map(([name]) => name)
      .filter((name) => !JOURNEY.includes(name));
    expect(uncovered).toEqual([]);
  });

  it('succeed one after the other on a fresh account, with the documented success status', async () => {
    const ids: Record<string, number> = {};
    let accessToken = '';
    let refreshToken = '';
    const failures: string[] = [];

    for (const name of JOURNEY) {
      const [method, path] = name.split(' ') as [string, string];
      const operation = document.paths[path]?.[method.toLowerCase()];
      if (!operation) throw new Error(`${name} is in the journey but not in the document`);
      const success = Object.keys(operation.responses).filter((status) => /^2\d\d$/.test(status));
      expect(success).toHaveLength(1);

      // Path parameters name resources created by earlier steps; query and header parameters are sent when the
      // document gives them an example (Swagger UI pre-fills those).
      const resource = path.split('/')[1]!;
      const url = path.replace(/\{(\w+)\}/g, (_, parameter: string) => {
        const id = parameter === 'id' ? ids[resource] : ids[parameter];
        if (id === undefined) throw new Error(`${name}: no ${parameter} from an earlier step`);
        return String(id);
      });
      const query = new URLSearchParams();
      const headers: Record<string, string> = {};
      for (const parameter of operation.parameters ?? []) {
        const example = parameter.example ?? parameter.schema?.example;
        if (parameter.in === 'path') continue;
        if (example === undefined) {
          if (parameter.required) failures.push(`${name}: required ${parameter.in} parameter ${parameter.name} has no example`);
          continue;
        }
        if (parameter.in === 'query') query.set(parameter.name, String(example));
        if (parameter.in === 'header') headers[parameter.name] = String(example);
      }
      const media = operation.requestBody?.content['application/json'];
      let body = media ? (media.example ?? sample(document, media.schema)) : undefined;
      // A refresh token is a secret of the session: the one the login step received stands in for the example's.
      if (name === 'POST /auth/refresh') body = { ...(body as object), refreshToken };
      // A campaign names the caller's own agent and contacts: the ones made by earlier steps stand in for the example's.
      if (name === 'POST /campaigns') body = { ...(body as object), agentId: ids.agentId, contactIds: [ids.contacts] };
      const raw = body === undefined ? undefined : JSON.stringify(body);
      if (name === 'POST /webhooks/retell' || name === 'POST /webhooks/retell/inbound') headers['x-retell-signature'] = await Retell.sign(raw!, EMULATOR_API_KEY);
      if ((operation.security ?? []).length > 0) headers.authorization = `Bearer ${accessToken}`;

      const target = `${url}${query.size > 0 ? `?${query}` : ''}`;
      let call = (t.http as unknown as Record<string, (url: string) => import('supertest').Test>)[method.toLowerCase()]!(target).set(headers);
      if (raw !== undefined) call = call.set('content-type', 'application/json').send(raw);
      let response = await call;
      // The test ping's delivery is made by the outbox relay a moment later, and its first attempt (to the example's
      // host, unreachable here) then fails: wait for both (bounded), so the manual retry that follows is not refused as
      // "being attempted right now".
      const attempted = (body: { items?: Array<{ lastStatusCode: number | null; lastError: string | null }> }) =>
        body.items?.[0] !== undefined && (body.items[0].lastStatusCode !== null || body.items[0].lastError !== null);
      for (let tries = 0; name === 'GET /webhook-endpoints/{id}/deliveries' && response.status === 200 && !attempted(response.body) && tries < 300; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        response = await (t.http as unknown as Record<string, (url: string) => import('supertest').Test>).get(target).set(headers);
      }
      if (String(response.status) !== success[0]) {
        failures.push(`${name} ${target} ${raw ?? ''} → ${response.status} ${response.text}`);
        continue;
      }

      const answer = response.body as { id?: number; accessToken?: string; refreshToken?: string; call?: { id: number } };
      if (path.startsWith('/auth/') && answer.accessToken) accessToken = answer.accessToken;
      if (path.startsWith('/auth/') && answer.refreshToken) refreshToken = answer.refreshToken;
      if (method === 'POST' && typeof answer.id === 'number') {
        const made: Record<string, string> = {
          '/api-keys': 'api-keys',
          '/agents': 'agents',
          '/agents/{agentId}/tools': 'toolId',
          '/agents/{agentId}/phone-numbers': 'phone-numbers',
          '/agents/{agentId}/calls': 'calls',
          '/webhook-endpoints': 'webhook-endpoints',
          '/contacts': 'contacts',
          '/campaigns': 'campaigns',
          // The ping answers with its event.
          '/webhook-endpoints/{id}/test': 'events',
        };
        if (made[path]) ids[made[path]] = answer.id;
        if (path === '/agents') ids.agentId = answer.id;
      }
      if (name === 'GET /webhook-endpoints/{id}/deliveries') {
        const delivery = (response.body as { items: Array<{ id: number }> }).items[0];
        if (delivery) ids.deliveryId = delivery.id;
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('gives free-form objects real examples (no additionalProp1 placeholders)', () => {
    const placeholders = Object.entries(document.components.schemas).flatMap(([schemaName, schema]) =>
      Object.entries(schema.properties ?? {})
        .filter(([, property]) => {
          const object = (p: Schema) => p.type === 'object' && !p.properties && p.example === undefined;
          return property.example === undefined && (object(property) || (property.type === 'array' && object(property.items ?? {})));
        })
        .map(([property]) => `${schemaName}.${property}`),
    );
    expect(placeholders).toEqual([]);
  });

  it('has plain-text summaries and 400 examples that name a field of their own route', () => {
    const problems: string[] = [];
    for (const [name, operation] of operations(document)) {
      if (operation.summary && /[`\n]/.test(operation.summary)) problems.push(`${name}: summary "${operation.summary}"`);
      const field = operation.responses['400']?.content?.['application/json']?.example?.details?.[0]?.field;
      if (field === undefined) continue;
      const media = operation.requestBody?.content['application/json'];
      const fields = [
        ...(operation.parameters ?? []).map((parameter) => parameter.name),
        ...Object.keys(media ? (resolve(document, media.schema).properties ?? {}) : {}),
      ];
      // Headers are checked on every route (NUL, lone surrogates), so a header is a field of every route.
      if (!fields.includes(field) && !field.startsWith('headers.')) problems.push(`${name}: its 400 example names "${field}", not one of ${fields.join(', ')}`);
    }
    expect(problems).toEqual([]);
  });
});
