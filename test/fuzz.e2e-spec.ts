import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import Retell from 'retell-sdk';
import request from 'supertest';
import { encodeCursor } from '../src/common/pagination/page.dto.js';
import { EMULATOR_API_KEY } from '../src/retell/retell-client.provider.js';
import { bootTestApp, type TestApp } from './support/app.js';
import { authHeader, createAgent, type AgentBody } from './support/agents.js';
import { createApiKey, createUser, type TestUser } from './support/factories.js';

/**
 * Schema fuzzer over every operation of openapi.json (issue 10): from a fixed seed, RUNS requests per operation built
 * from its request schemas — path and query parameters, headers, bodies — mixing valid values (so requests get past
 * validation into the services, the database and the emulator) with hostile ones: NUL, lone surrogates, 1 MB strings,
 * deep nesting, huge, negative and fractional numbers, odd dates, wrong types, extra fields. Real credentials and real
 * path ids are used where an operation needs them. Every response must be a status the document lists for that
 * operation, and never a 5xx; a failure names the request.
 */

const SEED = 20261210;
const RUNS = 80;

type Json = Record<string, unknown>;
interface Schema {
  $ref?: string;
  allOf?: Schema[];
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: boolean | Schema;
}
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
}
interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body?: Schema;
  statuses: Set<number>;
}

const document = JSON.parse(readFileSync('openapi.json', 'utf8')) as {
  paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: Schema }> }; responses: Json }>>;
  components: { schemas: Record<string, Schema> };
};

function resolve(schema: Schema): Schema {
  if (schema.$ref) return resolve(document.components.schemas[schema.$ref.split('/').pop()!]);
  if (schema.allOf) {
    const { allOf, ...rest } = schema;
    return Object.assign({}, ...allOf.map(resolve), rest) as Schema;
  }
  return schema;
}

// Order matters: deletions run last, so every other operation meets live resources; the account goes last of all.
const DELETE_ORDER = ['/agents/{agentId}/tools/{toolId}', '/phone-numbers/{id}', '/api-keys/{id}', '/agents/{id}', '/users/me'];
const operations: Operation[] = Object.entries(document.paths)
  .flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      parameters: op.parameters ?? [],
      body: op.requestBody?.content['application/json']?.schema,
      statuses: new Set(Object.keys(op.responses).map(Number)),
    })),
  )
  .sort((a, b) => rank(a) - rank(b));
function rank(op: Operation): number {
  return op.method === 'DELETE' ? 1 + DELETE_ORDER.indexOf(op.path) : 0;
}

// ---- hostile values ------------------------------------------------------------------------------------------------

const MEGABYTE = 'x'.repeat(1_048_576);
const BIG_UNICODE = 'é🎧'.repeat(60_000);
const ODD_DATES = ['+275760-09-13T00:00:00.000Z', '-271821-04-20T00:00:00Z', '20260101', '20260101T000000Z', '2026-W01', '2026-001', '2026-02-30T00:00:00Z', '2026-13-01T00:00:00Z', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59-14:00', '2026-01-01T25:00:00Z', '2026-01-01', 'now', ''];
const HOSTILE_STRINGS = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\ud83d',
  '🎧\ud800',
  '',
  ' ',
  '%',
  "' or 1=1 --",
  '{{customer_name}}',
  'A'.repeat(10_001),
  MEGABYTE,
  BIG_UNICODE,
  ...ODD_DATES,
  'https://127.0.0.1/admin',
  '+1415555000\u0000',
  '1e400',
];
const HOSTILE_NUMBERS = [0, -1, -0, 1.5, -2.5, 1e308, -1e308, 2 ** 31, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER, 1e-300, 2147483647, 2147483648];
const nested = (levels: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = i % 2 ? [value] : { n: value };
  return value;
};

// Text PostgreSQL cannot store is the class that turned into 500s (and into calls placed but never recorded), so it
// is most of what the hostile strings are.
const hostileString = fc.oneof(
  // A NUL or a lone surrogate somewhere inside ordinary text.
  { weight: 3, arbitrary: fc.tuple(fc.string({ maxLength: 20 }), fc.constantFrom('\u0000', '\ud800', '\udc00', '\ud83d'), fc.string({ maxLength: 20 })).map(([a, bad, b]) => a + bad + b) },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_NUMBERS) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, true, false, [], {}, [1, 'a'], { $gt: '' }, { __proto__: { admin: true } }) },
  { weight: 1, arbitrary: fc.constantFrom(nested(20), nested(40), nested(200)) },
  { weight: 1, arbitrary: fc.dictionary(hostileString, fc.oneof(hostileString, fc.integer()), { maxKeys: 3 }) },
);

// ---- values from a schema --------------------------------------------------------------------------------------------

const ISO_DATE = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
const E164 = fc.integer({ min: 2_000_000_000, max: 9_999_999_999 }).map((n) => `+1${n}`);
const SMALL_MAP = fc.dictionary(fc.stringMatching(/^[a-z_]{1,12}$/), fc.string({ maxLength: 20 }), { maxKeys: 3 });

/** A value the schema allows (as far as a schema can say: examples, enums, ranges, patterns, formats). */
function validValue(raw: Schema, name: string, depth = 0): fc.Arbitrary<unknown> {
  const schema = resolve(raw);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const generated = ((): fc.Arbitrary<unknown> => {
    switch (schema.type) {
      case 'string': {
        const min = schema.minLength ?? 0;
        const max = Math.min(schema.maxLength ?? 40, 60);
        if (schema.format === 'email') return fc.emailAddress().filter((e) => e.length <= (schema.maxLength ?? 100));
        if (schema.format === 'date-time' || /At$|^from$|^to$/.test(name)) return ISO_DATE;
        if (/number$/i.test(name)) return E164;
        if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern)).filter((v) => v.length >= min && v.length <= max);
        return fc.string({ minLength: min, maxLength: max });
      }
      case 'number':
        // Ids documented as `number` are still integers.
        if (/Id$/.test(name)) return fc.integer({ min: schema.minimum ?? 1, max: schema.maximum ?? 2_147_483_647 });
        return fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000, noNaN: true, noDefaultInfinity: true });
      case 'integer':
        return fc.integer({ min: schema.minimum ?? 1, max: schema.maximum ?? 1_000_000 });
      case 'boolean':
        return fc.boolean();
      case 'array':
        return depth < 4 && schema.items ? fc.array(validValue(schema.items, name, depth + 1), { maxLength: 2 }) : fc.constant([]);
      default:
        return schema.properties && depth < 4 ? validObject(schema, depth + 1) : SMALL_MAP;
    }
  })();
  const options = [{ weight: 3, arbitrary: generated }];
  if (schema.example !== undefined) options.push({ weight: 2, arbitrary: fc.constant(schema.example) });
  if (schema.nullable) options.push({ weight: 1, arbitrary: fc.constant(null) });
  return fc.oneof(...options);
}

/** Every required field and some optional ones, all valid. */
function validObject(raw: Schema, depth = 0): fc.Arbitrary<Json> {
  const schema = resolve(raw);
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties ?? {}).map(([name, property]) =>
    (required.has(name) ? validValue(property, name, depth) : fc.option(validValue(property, name, depth), { freq: 2, nil: undefined })).map((value) => [name, value] as const),
  );
  return fc.tuple(...fields).map((pairs) => Object.fromEntries(pairs.filter(([, value]) => value !== undefined)));
}

/** A hostile value for this field; for an object (or an array of them), often a valid one with one hostile field inside. */
function hostileFor(raw: Schema, depth = 0): fc.Arbitrary<unknown> {
  const schema = resolve(raw);
  if (depth < 4 && schema.properties) return fc.oneof(hostileValue, oneHostileObject(schema, depth + 1));
  if (depth < 4 && schema.type === 'array' && schema.items && resolve(schema.items).properties) {
    return fc.oneof(hostileValue, oneHostileObject(resolve(schema.items), depth + 1).map((item) => [item]));
  }
  return hostileValue;
}

const EXTRA_FIELDS = ['admin', 'userId', 'id', '__proto__', 'constructor', 'isActive\u0000', '\ud800'];
// Fields an open object (`additionalProperties: true`, e.g. the call inside a Retell event) may really carry.
const OPEN_FIELDS = ['transcript', 'metadata', 'start_timestamp', 'end_timestamp', 'duration_ms', 'call_status', 'disconnection_reason', 'transcript_object', 'call_analysis', 'call_cost', 'retell_llm_dynamic_variables', 'agent_id', 'direction', 'from_number', 'to_number'];
const extraFieldsFor = (schema: Schema) => (schema.additionalProperties === true ? [...OPEN_FIELDS, ...EXTRA_FIELDS] : EXTRA_FIELDS);

/** A valid object with exactly one thing wrong: one field hostile (at any depth), missing, or an extra field added. */
function oneHostileObject(schema: Schema, depth = 0): fc.Arbitrary<Json> {
  const names = Object.keys(schema.properties ?? {});
  const slots = names.length + 1;
  return fc.record({
    base: validObject(schema, depth),
    slot: fc.nat({ max: slots - 1 }),
    hostiles: fc.tuple(...names.map((name) => hostileFor(schema.properties![name]!, depth))),
    missing: fc.boolean(),
    extra: fc.tuple(fc.constantFrom(...extraFieldsFor(schema)), hostileValue),
  }).map(({ base, slot, hostiles, missing, extra }) => {
    const body: Json = { ...base };
    if (slot < names.length) {
      if (missing && (schema.required ?? []).includes(names[slot]!)) delete body[names[slot]!];
      else body[names[slot]!] = hostiles[slot];
    } else {
      Object.defineProperty(body, extra[0], { value: extra[1], enumerable: true, configurable: true, writable: true });
    }
    return body;
  });
}

/** Anything goes: each field valid or hostile, required ones sometimes missing, sometimes an extra field. */
function chaosObject(schema: Schema): fc.Arbitrary<Json> {
  const fields = Object.entries(schema.properties ?? {}).map(([name, property]) =>
    fc.option(fc.oneof(validValue(property, name), hostileFor(property)), { freq: 2, nil: undefined }).map((value) => [name, value] as const),
  );
  const extra = fc.option(fc.tuple(fc.constantFrom(...extraFieldsFor(schema)), hostileValue), { freq: 3, nil: undefined });
  return fc.tuple(fc.tuple(...fields), extra).map(([pairs, extraField]) => {
    const body: Json = Object.fromEntries(pairs.filter(([, value]) => value !== undefined));
    if (extraField) Object.defineProperty(body, extraField[0], { value: extraField[1], enumerable: true, configurable: true, writable: true });
    return body;
  });
}

/** The body as sent: a JSON value, or raw text (JSON nested 10,000 levels deep, which JSON.stringify would not build). */
type Body = { json: unknown } | { raw: string } | undefined;
const DEEP_BODIES = fc.constantFrom(10_000, 33, 32).map((levels): Body => ({ raw: `{"x":${'['.repeat(levels)}1${']'.repeat(levels)}}` }));

function hostileBody(schema: Schema): fc.Arbitrary<Body> {
  const resolved = resolve(schema);
  return fc.oneof(
    { weight: 8, arbitrary: oneHostileObject(resolved).map((json): Body => ({ json })) },
    { weight: 4, arbitrary: chaosObject(resolved).map((json): Body => ({ json })) },
    { weight: 1, arbitrary: hostileValue.map((json): Body => ({ json })) },
    { weight: 1, arbitrary: DEEP_BODIES },
    { weight: 1, arbitrary: fc.constant<Body>(undefined) },
  );
}

// ---- parameters ------------------------------------------------------------------------------------------------------

const HOSTILE_QUERY = ['%00', 'a%00b', '%ED%A0%80', '%F0%9F%8E%A7', '', '-1', '0', '1.5', '1e400', '9'.repeat(40), 'true', 'null', '%', '%zz', 'x'.repeat(3000), ...ODD_DATES.map(encodeURIComponent)];
const HOSTILE_IDS = ['0', '-1', '1.5', 'abc', '99999999999', '2147483648', '%00', '1%00', '%ED%A0%80', '1e3', '%20', '0x10', '9'.repeat(200), '%F0%9F%8E%A7'];
// Cursors of the shapes the lists issue (keyset on createdAt and id, on id, on voiceId); one fits each list.
const CURSORS = fc.oneof(
  fc.tuple(ISO_DATE, fc.integer({ min: 1, max: 2_147_483_647 })).map(([createdAt, id]) => encodeCursor({ createdAt, id })),
  fc.integer({ min: 1, max: 2_147_483_647 }).map((id) => encodeCursor({ id })),
  fc.stringMatching(/^[a-zA-Z0-9-]{1,20}$/).map((voiceId) => encodeCursor({ voiceId })),
);
const EXTRA_QUERY = ['api_key=rtm_live_x', 'admin=true', '%00=%00', 'q[]=1&q[]=2', 'limit=1&limit=2', 'x=%ED%A0%80'];

interface Fixtures {
  owner: TestUser;
  apiKey: { id: number; key: string };
  agent: AgentBody;
  toolId: number;
  numberId: number;
  callId: number;
  /** Another tenant's ids: must answer 404, like missing ones. */
  foreign: { agentId: number; toolId: number; numberId: number; callId: number; apiKeyId: number };
}

function realId(fixtures: Fixtures, path: string, name: string, foreign: boolean): number {
  const f = foreign ? { agentId: fixtures.foreign.agentId, toolId: fixtures.foreign.toolId, numberId: fixtures.foreign.numberId, callId: fixtures.foreign.callId, apiKeyId: fixtures.foreign.apiKeyId } : { agentId: fixtures.agent.id, toolId: fixtures.toolId, numberId: fixtures.numberId, callId: fixtures.callId, apiKeyId: fixtures.apiKey.id };
  if (name === 'agentId') return f.agentId;
  if (name === 'toolId') return f.toolId;
  const resource = path.split('/')[1];
  return { agents: f.agentId, 'api-keys': f.apiKeyId, calls: f.callId, 'phone-numbers': f.numberId }[resource] ?? 1;
}

type Credentials = 'bearer' | 'api-key' | 'none' | 'garbage';

interface FuzzRequest {
  method: string;
  path: string;
  query: string;
  credentials: Credentials;
  idempotencyKey?: string;
  body: Body;
  signed: boolean;
}

type Mode = 'valid' | 'one' | 'chaos';

/**
 * Requests in three mixes: all valid (so the happy paths run under the same checks), valid with exactly one hostile
 * part (a path id, a query value, one body field at any depth, the credentials), and chaos (every part either way).
 */
function requestArbitrary(op: Operation, fixtures: Fixtures): fc.Arbitrary<FuzzRequest> {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const validPath = pathParams.map((p) =>
    fc.oneof({ weight: 5, arbitrary: fc.constant(String(realId(fixtures, op.path, p.name, false))) }, { weight: 1, arbitrary: fc.constant(String(realId(fixtures, op.path, p.name, true))) }),
  );
  const hostilePath = pathParams.map(() => fc.constantFrom(...HOSTILE_IDS));
  const validQuery = queryParams.map((p) =>
    fc.option(p.name === 'cursor' ? CURSORS : validValue(p.schema ?? { type: 'string' }, p.name).map((v) => encodeURIComponent(typeof v === 'string' ? v : String(v))), { freq: 1, nil: undefined }),
  );
  const hostileQuery = queryParams.map(() => fc.constantFrom(...HOSTILE_QUERY));
  const validBody = op.body ? validObject(op.body).map((json): Body => ({ json })) : fc.constant<Body>(undefined);
  const badBody = op.body ? hostileBody(op.body) : fc.constant<Body>(undefined);
  // Slots a single hostile part can go in: each path and query parameter, the body, the credentials, an extra query.
  const slots = pathParams.length + queryParams.length + (op.body ? 1 : 0) + 2;
  return fc
    .record({
      mode: fc.constantFrom<Mode>('valid', 'valid', 'one', 'one', 'one', 'one', 'one', 'chaos', 'chaos', 'chaos'),
      slot: fc.nat({ max: slots - 1 }),
      coin: fc.array(fc.boolean(), { minLength: slots, maxLength: slots }),
      validPath: fc.tuple(...validPath),
      hostilePath: fc.tuple(...hostilePath),
      validQuery: fc.tuple(...validQuery),
      hostileQuery: fc.tuple(...hostileQuery),
      validBody,
      badBody,
      badCredentials: fc.constantFrom<Credentials>('none', 'garbage', 'api-key'),
      credentials: fc.constantFrom<Credentials>('bearer', 'bearer', 'bearer', 'api-key'),
      extraQuery: fc.constantFrom(...EXTRA_QUERY),
      idempotencyKey: fc.option(fc.oneof(fc.uuid(), fc.constantFrom('', ' ', 'x'.repeat(300), 'clé', 'k\té', '../../etc')), { freq: 2, nil: undefined }),
      signed: fc.boolean(),
    })
    .map((g) => {
      const hostile = (index: number) => (g.mode === 'chaos' ? g.coin[index]! : g.mode === 'one' && g.slot === index);
      let index = 0;
      let path = op.path;
      pathParams.forEach((p, i) => {
        path = path.replace(`{${p.name}}`, hostile(index++) ? g.hostilePath[i]! : g.validPath[i]!);
      });
      const parts: string[] = [];
      queryParams.forEach((p, i) => {
        const value = hostile(index++) ? g.hostileQuery[i] : g.validQuery[i];
        if (value !== undefined) parts.push(`${p.name}=${value}`);
      });
      const body = op.body ? (hostile(index++) ? g.badBody : g.validBody) : undefined;
      const credentials = hostile(index++) ? g.badCredentials : g.credentials;
      if (hostile(index++)) parts.push(g.extraQuery);
      return {
        method: op.method,
        path,
        query: parts.join('&'),
        credentials,
        idempotencyKey: op.parameters.some((p) => p.in === 'header') ? g.idempotencyKey : undefined,
        body,
        signed: g.signed,
      };
    });
}

function describeRequest(r: FuzzRequest): string {
  const body = r.body === undefined ? '(no body)' : 'raw' in r.body ? `raw ${r.body.raw.length} chars: ${r.body.raw.slice(0, 80)}…` : JSON.stringify(r.body.json);
  return `${r.method} ${r.path}${r.query ? `?${r.query}` : ''} [${r.credentials}${r.path === '/webhooks/retell' ? (r.signed ? ', signed' : ', unsigned') : ''}${r.idempotencyKey !== undefined ? `, Idempotency-Key ${JSON.stringify(r.idempotencyKey).slice(0, 40)}` : ''}] body ${body.length > 400 ? `${body.slice(0, 400)}… (${body.length} chars)` : body}`;
}

describe('schema fuzzer over openapi.json (e2e)', () => {
  let t: TestApp;
  let fixtures: Fixtures;
  const tally = new Map<string, Map<number, number>>();

  beforeAll(async () => {
    t = await bootTestApp();
    const owner = await createUser(t.http);
    const apiKey = await createApiKey(t.http, owner);
    const agent = await createAgent(t.http, owner);
    const number = await t.http.post(`/agents/${agent.id}/phone-numbers`).set(...authHeader(owner)).send({}).expect(201);
    const call = await t.http.post(`/agents/${agent.id}/calls`).set(...authHeader(owner)).send({ toNumber: '+14155559999' }).expect(201);
    const other = await createUser(t.http);
    const otherKey = await createApiKey(t.http, other);
    const otherAgent = await createAgent(t.http, other);
    const otherNumber = await t.http.post(`/agents/${otherAgent.id}/phone-numbers`).set(...authHeader(other)).send({}).expect(201);
    const otherCall = await t.http.post(`/agents/${otherAgent.id}/calls`).set(...authHeader(other)).send({ toNumber: '+14155559998' }).expect(201);
    fixtures = {
      owner,
      apiKey,
      agent,
      toolId: agent.tools[0]!.id,
      numberId: number.body.id,
      callId: call.body.id,
      foreign: { agentId: otherAgent.id, toolId: otherAgent.tools[0]!.id, numberId: otherNumber.body.id, callId: otherCall.body.id, apiKeyId: otherKey.id },
    };
  }, 60_000);
  afterAll(async () => {
    if (process.env.FUZZ_REPORT) {
      const lines = [...tally].map(([op, statuses]) => `${op}: ${[...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ')}`);
      process.stdout.write(`fuzzer statuses per operation:\n${lines.join('\n')}\n`);
    }
    await t?.close();
  });

  const send = async (r: FuzzRequest) => {
    const agent = request(t.app.getHttpServer());
    const url = `${r.path}${r.query ? `?${r.query}` : ''}`;
    let test = agent[r.method.toLowerCase() as 'get'](url);
    if (r.credentials === 'bearer') test = test.set('authorization', fixtures.owner.bearer);
    else if (r.credentials === 'api-key') test = test.set('x-api-key', fixtures.apiKey.key);
    else if (r.credentials === 'garbage') test = test.set('authorization', 'Bearer \u00e9\u00e9.x.y');
    if (r.idempotencyKey !== undefined) test = test.set('idempotency-key', r.idempotencyKey);
    if (r.body === undefined) return test;
    const text = 'raw' in r.body ? r.body.raw : JSON.stringify(r.body.json) ?? 'null';
    test = test.set('content-type', 'application/json');
    if (r.path === '/webhooks/retell' && r.signed) test = test.set('x-retell-signature', await Retell.sign(text, EMULATOR_API_KEY));
    return test.send(text);
  };

  it(`covers every operation of the document`, () => {
    expect(operations.length).toBeGreaterThanOrEqual(30);
    expect(operations.map((o) => `${o.method} ${o.path}`)).toContain('POST /auth/login');
  });

  // One test per operation, in order (deletions last), each with its own seed derived from the fixed one.
  operations.forEach((op, index) => {
    it(`${op.method} ${op.path}: ${RUNS} generated requests, only documented statuses, no 5xx`, async () => {
      const failures: string[] = [];
      const statuses = new Map<number, number>();
      tally.set(`${op.method} ${op.path}`, statuses);
      const samples = fc.sample(requestArbitrary(op, fixtures), { seed: SEED + index, numRuns: RUNS });
      expect(samples).toHaveLength(RUNS);
      for (const r of samples) {
        const response = await send(r);
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status >= 500 || !op.statuses.has(response.status)) {
          failures.push(`${response.status} for ${describeRequest(r)} → ${JSON.stringify(response.body).slice(0, 200)}`);
        }
      }
      expect(failures).toEqual([]);
    }, 120_000);
  });
});
