import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './client/schema.js';
import { bootTestApp, type TestApp } from './support/app.js';

const root = resolve(import.meta.dirname, '..');

describe('generated client: the partner journey over HTTP (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  /** The same OpenAPI check as `t.http`, for the fetch-based client: drift fails here too. */
  const contractCheck: Middleware = {
    async onResponse({ request, response }) {
      const rawText = await response.clone().text();
      const contentType = response.headers.get('content-type') ?? undefined;
      t.contract.check({
        method: request.method,
        url: request.url,
        status: response.status,
        contentType,
        body: rawText && contentType?.includes('application/json') ? (JSON.parse(rawText) as unknown) : undefined,
        rawText,
      });
      return undefined;
    },
  };

  function client(headers: Record<string, string> = {}) {
    const api = createClient<paths>({ baseUrl: t.baseUrl, headers });
    api.use(contractCheck);
    return api;
  }

  it('test/client/schema.d.ts is generated from the committed openapi.json (run `npm run client`)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'client-'));
    try {
      const cli = join(root, 'node_modules/openapi-typescript/bin/cli.js');
      await promisify(execFile)(process.execPath, [cli, 'openapi.json', '--output', join(out, 'schema.d.ts')], { cwd: root });
      const fresh = readFileSync(join(out, 'schema.d.ts'), 'utf8');
      const committed = readFileSync(join(root, 'test/client/schema.d.ts'), 'utf8');
      expect(fresh === committed ? 'up to date' : 'test/client/schema.d.ts is stale: run npm run client').toBe('up to date');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('register → login → API key → agent with tools → number → outbound call → webhooks → call history', async () => {
    const anonymous = client();
    const suffix = Date.now().toString(36);
    const password = 'correct horse battery staple';

    const registered = await anonymous.POST('/auth/register', {
      body: { username: `partner_${suffix}`, email: `ops+${suffix}@partner.example`, password },
    });
    expect(registered.response.status).toBe(201);
    expect(registered.data?.username).toBe(`partner_${suffix}`);

    const login = await anonymous.POST('/auth/login', { body: { login: `partner_${suffix}`, password } });
    expect(login.response.status).toBe(200);
    const user = client({ authorization: `Bearer ${login.data!.accessToken}` });

    const created = await user.POST('/api-keys', { body: { keyName: 'CRM' } });
    expect(created.response.status).toBe(201);
    expect(created.data!.key).toMatch(/^rtm_live_/);

    // From here on the partner system has only its API key.
    const partner = client({ 'x-api-key': created.data!.key });
    const voices = await partner.GET('/voices', { params: { query: { limit: 5 } } });
    expect(voices.response.status).toBe(200);
    const voiceId = voices.data!.items[0]!.voiceId;

    const agent = await partner.POST('/agents', {
      body: {
        name: 'Front desk',
        description: 'Answers the Springfield office',
        voiceId,
        llmConfiguration: { model: 'gpt-4.1', temperature: 0.2, generalPrompt: 'You are the front desk.', beginMessage: 'Hello!' },
        tools: [
          { toolType: 'end_call', toolConfig: { name: 'end_call', description: 'Hang up politely' } },
          {
            toolType: 'custom',
            toolConfig: { name: 'lookup_order', description: 'Looks up an order', url: 'https://api.example.com/orders/lookup', method: 'POST' },
          },
        ],
      },
    });
    expect(agent.response.status).toBe(201);
    expect(agent.data!.tools.map((tool) => tool.name)).toEqual(['end_call', 'lookup_order']);
    const agentId = agent.data!.id;

    const number = await partner.POST('/agents/{agentId}/phone-numbers', { params: { path: { agentId } }, body: {} });
    expect(number.response.status).toBe(201);
    expect(number.data!.phoneNumber).toMatch(/^\+1\d{10}$/);

    const idempotencyKey = `order-4711-${suffix}`;
    const placeCall = () =>
      partner.POST('/agents/{agentId}/calls', {
        params: { path: { agentId }, header: { 'Idempotency-Key': idempotencyKey } },
        body: { toNumber: '+14155559999', dynamicVariables: { customer_name: 'Ada' }, metadata: { order: 4711 } },
      });
    const call = await placeCall();
    expect(call.response.status).toBe(201);
    expect(call.data).toMatchObject({ agentId, direction: 'outbound', fromNumber: number.data!.phoneNumber, toNumber: '+14155559999' });
    // A retry with the same key answers the first call again instead of dialling twice.
    const retry = await placeCall();
    expect(retry.response.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.data!.id).toBe(call.data!.id);

    await t.emulator.waitForIdle();

    const history = await partner.GET('/calls', { params: { query: { agentId } } });
    expect(history.response.status).toBe(200);
    expect(history.data!.items.map((c) => [c.id, c.status])).toEqual([[call.data!.id, 'ended']]);
    const detail = await partner.GET('/calls/{id}', { params: { path: { id: call.data!.id } } });
    expect(detail.response.status).toBe(200);
    expect(detail.data!.transcript).toMatch(/\w/);
    expect(detail.data!.transcriptObject!.length).toBeGreaterThan(0);
    expect(detail.data!.analysis).toMatchObject({ call_successful: true });
    expect(detail.data!.metadata).toEqual({ order: 4711 });

    // The API key cannot manage keys: the document says 403, and so does the server.
    const forbidden = await partner.GET('/api-keys');
    expect(forbidden.response.status).toBe(403);
    expect(forbidden.error).toMatchObject({ statusCode: 403 });
  });
});
