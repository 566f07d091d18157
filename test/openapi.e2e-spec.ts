import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { OpenAPIObject } from '@nestjs/swagger';
import { stableJson } from '../src/common/openapi/stable-json.js';
import { bootTestApp, type TestApp } from './support/app.js';
import { ContractChecker } from './support/contract.js';

const root = resolve(import.meta.dirname, '..');

type Schema = { $ref?: string; type?: string; properties?: Record<string, Schema>; required?: string[]; example?: unknown; items?: Schema };
type Operation = {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: unknown[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { description?: string; content?: Record<string, { schema: Schema }> }>;
};

describe('the OpenAPI document (e2e)', () => {
  let t: TestApp;
  let document: OpenAPIObject;
  let operations: { where: string; op: Operation }[];

  beforeAll(async () => {
    t = await bootTestApp();
    document = (await t.http.get('/docs-json').expect(200)).body as OpenAPIObject;
    operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item as Record<string, Operation>).map(([method, op]) => ({ where: `${method.toUpperCase()} ${path}`, op })),
    );
  });
  afterAll(async () => {
    await t.close();
  });

  const schemaOf = (ref: string | undefined): Schema => document.components!.schemas![ref!.replace('#/components/schemas/', '')] as Schema;

  it('is the committed openapi.json (run `npm run openapi` after changing the API)', () => {
    const committed = readFileSync(join(root, 'openapi.json'), 'utf8');
    expect(stableJson(document) === committed ? 'up to date' : 'openapi.json is stale: run npm run openapi').toBe('up to date');
  });

  it('is built from the committed src/metadata.ts (run `npm run metadata` after changing a DTO)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'metadata-'));
    try {
      await promisify(execFile)(process.execPath, [join(root, 'scripts/generate-metadata.mjs'), out], { cwd: root });
      const fresh = readFileSync(join(out, 'metadata.ts'), 'utf8');
      const committed = readFileSync(join(root, 'src/metadata.ts'), 'utf8');
      expect(fresh === committed ? 'up to date' : 'src/metadata.ts is stale: run npm run metadata, then npm run openapi').toBe('up to date');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);

  it('gives every operation a summary, one tag, a stable operationId and security', () => {
    expect(operations.length).toBeGreaterThanOrEqual(37);
    for (const { where, op } of operations) {
      expect({ where, summary: typeof op.summary === 'string' && op.summary.length > 0 }).toEqual({ where, summary: true });
      expect({ where, tags: op.tags?.length }).toEqual({ where, tags: 1 });
      expect({ where, operationId: op.operationId }).toEqual({ where, operationId: expect.stringMatching(/^[A-Z][A-Za-z]+_[a-z][A-Za-z]+$/) });
      expect({ where, security: Array.isArray(op.security) }).toEqual({ where, security: true });
    }
    const ids = operations.map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    // Renaming a controller method must not silently rename a generated client's function: a few pinned ids.
    expect(ids).toEqual(expect.arrayContaining(['Agents_list', 'Agents_create', 'Calls_placeCall', 'Calls_list', 'ApiKeys_create', 'Auth_login']));
  });

  it('states the security the guard enforces: none, bearer only (with 403), or bearer or API key', () => {
    for (const { where, op } of operations) {
      const security = JSON.stringify(op.security);
      if (where.startsWith('POST /auth/') || where === 'GET /health' || where === 'POST /webhooks/retell' || where === 'POST /webhooks/retell/inbound') expect({ where, security }).toEqual({ where, security: '[]' });
      else if (where.includes('/api-keys') || where === 'PATCH /users/me' || where === 'DELETE /users/me') {
        expect({ where, security, has403: '403' in op.responses }).toEqual({ where, security: '[{"bearer":[]}]', has403: true });
      } else expect({ where, security }).toEqual({ where, security: '[{"bearer":[]},{"api-key":[]}]' });
      if (security !== '[]') expect({ where, has401: '401' in op.responses }).toEqual({ where, has401: true });
    }
  });

  it('answers every error status with the error envelope, and every input with a documented 400', () => {
    for (const { where, op } of operations) {
      for (const [status, response] of Object.entries(op.responses)) {
        // A load balancer reads the health body whatever the status, so its 503 keeps the health shape.
        if (Number(status) < 400 || (where === 'GET /health' && status === '503')) continue;
        expect({ where, status, schema: response.content?.['application/json']?.schema }).toEqual({
          where,
          status,
          schema: { $ref: '#/components/schemas/ErrorEnvelopeDto' },
        });
        expect({ where, status, description: response.description }).toEqual({ where, status, description: expect.stringMatching(/\w/) });
        if (!(where === 'GET /health' && status === '503')) {
          const example = (response.content?.['application/json'] as { example?: { statusCode?: number } } | undefined)?.example;
          expect({ where, status, exampleStatus: example?.statusCode }).toEqual({ where, status, exampleStatus: Number(status) });
        }
      }
      if (op.requestBody || op.parameters?.length) expect({ where, has400: '400' in op.responses }).toEqual({ where, has400: true });
    }
  });

  it('describes every success body with a DTO whose properties all have a type, and request bodies with examples', () => {
    for (const { where, op } of operations) {
      const success = Object.entries(op.responses).filter(([status]) => Number(status) < 300);
      expect({ where, successes: success.length }).toEqual({ where, successes: 1 });
      const [status, response] = success[0]!;
      if (status === '204') {
        expect({ where, content: response.content }).toEqual({ where, content: undefined });
        continue;
      }
      const schema = schemaOf(response.content?.['application/json']?.schema.$ref);
      for (const dto of [schema, ...Object.values(schema.properties ?? {}).map((p) => (p.$ref ? schemaOf(p.$ref) : p.items?.$ref ? schemaOf(p.items.$ref) : undefined))]) {
        if (!dto) continue;
        expect({ where, properties: Object.keys(dto.properties ?? {}).length > 0 }).toEqual({ where, properties: true });
        for (const [name, property] of Object.entries(dto.properties ?? {})) {
          const typed = Boolean(property.type || property.$ref || (property as { allOf?: unknown }).allOf);
          expect({ where, name, typed }).toEqual({ where, name, typed: true });
        }
      }
      if (op.requestBody) {
        const declared = op.requestBody.content['application/json']!.schema;
        const body = declared.$ref ? schemaOf(declared.$ref) : declared;
        for (const name of body.required ?? []) {
          const property = body.properties![name]!;
          if (property.$ref || (property as { allOf?: unknown }).allOf || property.type === 'array' || property.type === 'object') continue;
          expect({ where, name, example: property.example !== undefined }).toEqual({ where, name, example: true });
        }
      }
    }
  });

  it('serves Swagger UI at /docs under the Content-Security-Policy', async () => {
    const page = await t.http.get('/docs/').expect(200);
    expect(page.text).toContain('swagger-ui');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
  });
});

describe('the contract check itself', () => {
  // A tiny document with the shapes the real one uses: a nullable field, a nested $ref, a 204 and an error envelope.
  const document = {
    openapi: '3.0.0',
    info: { title: 't', version: '1' },
    paths: {
      '/things/{id}': {
        get: {
          responses: {
            '200': { description: '', content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
            '404': { description: '', content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelopeDto' } } } },
          },
        },
        delete: { responses: { '204': { description: '' } } },
      },
      '/things/special': { get: { responses: { '204': { description: '' } } } },
    },
    components: {
      schemas: {
        Thing: {
          type: 'object',
          required: ['id', 'note', 'owner'],
          properties: { id: { type: 'number' }, note: { type: 'string', nullable: true }, owner: { $ref: '#/components/schemas/Owner' } },
        },
        Owner: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
        ErrorEnvelopeDto: { type: 'object', required: ['statusCode'], properties: { statusCode: { type: 'number' }, message: { type: 'string' } } },
      },
    },
  } as unknown as OpenAPIObject;
  const checker = new ContractChecker(document);
  const json = (method: string, url: string, status: number, body: unknown) => () =>
    checker.check({ method, url, status, contentType: 'application/json; charset=utf-8', body, rawText: JSON.stringify(body) });

  it('accepts a body that matches, with null where the schema is nullable', () => {
    expect(json('GET', '/things/1?x=1', 200, { id: 1, note: null, owner: { name: 'a' } })).not.toThrow();
  });

  it('catches a leaked field, a missing one, a wrong type and a null that is not allowed, nested too', () => {
    expect(json('GET', '/things/1', 200, { id: 1, note: 'n', owner: { name: 'a' }, passwordHash: 'x' })).toThrow(/additional properties: passwordHash/);
    expect(json('GET', '/things/1', 200, { id: 1, note: 'n', owner: { name: 'a', secret: 1 } })).toThrow(/\/owner must NOT have additional properties: secret/);
    expect(json('GET', '/things/1', 200, { id: 1, owner: { name: 'a' } })).toThrow(/must have required property 'note'/);
    expect(json('GET', '/things/1', 200, { id: '1', note: 'n', owner: { name: 'a' } })).toThrow(/\/id must be number/);
    expect(json('GET', '/things/1', 200, { id: 1, note: 'n', owner: null })).toThrow(/\/owner must be object/);
  });

  it('catches an undocumented status, a body on a 204 and a non-JSON body', () => {
    expect(json('GET', '/things/1', 409, { statusCode: 409 })).toThrow(/GET \/things\/\{id\} → 409 is not a documented response/);
    expect(json('DELETE', '/things/1', 204, { id: 1 })).toThrow(/documented without a body/);
    expect(() => checker.check({ method: 'GET', url: '/things/1', status: 200, contentType: 'text/html', body: undefined, rawText: '<p>' })).toThrow(/application\/json/);
    expect(json('GET', '/things/1', 404, { message: 'x' })).toThrow(/required property 'statusCode'/);
  });

  it('prefers a literal path segment over a parameter, and leaves undocumented paths alone', () => {
    expect(() => checker.check({ method: 'GET', url: '/things/special', status: 204, contentType: undefined, body: undefined, rawText: '' })).not.toThrow();
    expect(json('GET', '/elsewhere', 418, { anything: true })).not.toThrow();
  });
});
