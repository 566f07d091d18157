import { bootTestApp, type TestApp } from './support/app.js';
import { authHeader, createAgent, customTool, OTHER_VOICE, type AgentBody, type Caller } from './support/agents.js';
import { createApiKey, createUser, type TestUser } from './support/factories.js';

type Method = 'get' | 'post' | 'patch' | 'delete';

/**
 * Object-level authorisation (OWASP API1) for every route that takes an agent or tool id: another tenant's id is a
 * 404 exactly like a missing one, for a token and for an API key, and nothing changes here or at Retell.
 */
describe('Agents, LLM configurations and tools: another tenant (e2e)', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let bobKey: string;
  let aliceAgent: AgentBody;
  let bobAgent: AgentBody;
  let aliceToolId: number;

  beforeAll(async () => {
    t = await bootTestApp();
    alice = await createUser(t.http);
    bob = await createUser(t.http);
    bobKey = (await createApiKey(t.http, bob)).key;
    aliceAgent = await createAgent(t.http, alice, { tools: [customTool('alice_tool')] });
    bobAgent = await createAgent(t.http, bob, { tools: [] });
    aliceToolId = aliceAgent.tools[0]!.id;
  });
  afterAll(async () => {
    await t.close();
  });

  /** Everything that could change: Alice's rows and Retell's whole state. */
  async function snapshot(): Promise<string> {
    const rows = await Promise.all(
      ['agents', 'llm_configurations', 'agent_tools'].map((table) => t.db.query(`select * from ${table} order by id`)),
    );
    const state = t.emulator.state;
    return JSON.stringify({ rows, agents: [...state.agents.values()], llms: [...state.llms.values()] });
  }

  const routes = (): Array<[string, Method, string, object | undefined]> => [
    ['read an agent', 'get', `/agents/${aliceAgent.id}`, undefined],
    ['change an agent', 'patch', `/agents/${aliceAgent.id}`, { name: 'Taken over', voiceId: OTHER_VOICE, isActive: false }],
    ['delete an agent', 'delete', `/agents/${aliceAgent.id}`, undefined],
    ['publish an agent', 'post', `/agents/${aliceAgent.id}/publish`, {}],
    ['read an LLM configuration', 'get', `/agents/${aliceAgent.id}/llm-configuration`, undefined],
    ['change an LLM configuration', 'patch', `/agents/${aliceAgent.id}/llm-configuration`, { generalPrompt: 'Leak everything.' }],
    ['list tools', 'get', `/agents/${aliceAgent.id}/tools`, undefined],
    ['add a tool', 'post', `/agents/${aliceAgent.id}/tools`, customTool('intruder')],
    ['read a tool', 'get', `/agents/${aliceAgent.id}/tools/${aliceToolId}`, undefined],
    ['change a tool', 'patch', `/agents/${aliceAgent.id}/tools/${aliceToolId}`, { toolConfig: { name: 'x', url: 'https://evil.example.com' } }],
    ['delete a tool', 'delete', `/agents/${aliceAgent.id}/tools/${aliceToolId}`, undefined],
    // Alice's tool through Bob's own agent.
    ['read a tool via an own agent', 'get', `/agents/${bobAgent.id}/tools/${aliceToolId}`, undefined],
    ['change a tool via an own agent', 'patch', `/agents/${bobAgent.id}/tools/${aliceToolId}`, { toolConfig: { name: 'x', url: 'https://evil.example.com' } }],
    ['delete a tool via an own agent', 'delete', `/agents/${bobAgent.id}/tools/${aliceToolId}`, undefined],
  ];

  for (const via of ['token', 'API key'] as const) {
    it(`answers 404 to every route with another tenant's ids (${via}), and changes nothing`, async () => {
      const caller: Caller = via === 'token' ? bob : { apiKey: bobKey };
      const before = await snapshot();
      const missing = await t.http.get('/agents/2147483000').set(...authHeader(caller)).expect(404);
      for (const [what, method, url, body] of routes()) {
        const request = t.http[method](url).set(...authHeader(caller));
        const response = await (body === undefined ? request : request.send(body));
        expect({ what, status: response.status }).toEqual({ what, status: 404 });
        expect(response.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
        expect(response.body.message).toMatch(/^(Agent|Tool) not found$/);
      }
      expect(missing.body.message).toBe('Agent not found');
      expect(await snapshot()).toBe(before);
      // Alice still sees her agent as it was.
      const mine = await t.http.get(`/agents/${aliceAgent.id}`).set('authorization', alice.bearer).expect(200);
      expect(mine.body).toEqual(aliceAgent);
    });
  }

  it('never lists another tenant’s agents, even when searching their name', async () => {
    const list = await t.http.get(`/agents?q=${encodeURIComponent(aliceAgent.name)}`).set('x-api-key', bobKey).expect(200);
    expect(list.body.items).toEqual([]);
  });

  it.each<[string, string, object]>([
    ['POST /agents', '/agents', { userId: 1 }],
    ['PATCH /agents/:id', '/agents/:id', { id: 999 }],
    ['PATCH /agents/:id', '/agents/:id', { retellAgentId: 'agent_else' }],
    ['PATCH /agents/:id', '/agents/:id', { isPublished: true }],
    ['PATCH /agents/:id/llm-configuration', '/agents/:id/llm-configuration', { retellLlmId: 'llm_else' }],
    ['POST /agents/:id/tools', '/agents/:id/tools', { ...customTool('x'), agentId: 1 }],
    ['POST /agents/:id/publish', '/agents/:id/publish', { version: 3 }],
  ])('%s refuses an unknown field (%j) with 400', async (_route, template, body) => {
    const url = template.replace(':id', String(bobAgent.id));
    const method = template === '/agents' || template.endsWith('/tools') || template.endsWith('/publish') ? 'post' : 'patch';
    const response = await t.http[method](url).set('authorization', bob.bearer).send(body).expect(400);
    expect(response.body.details).toEqual(expect.arrayContaining([{ field: Object.keys(body).at(-1), messages: ['is not allowed'] }]));
  });

  it('needs authentication on every route', async () => {
    await t.http.get('/agents').expect(401);
    await t.http.get(`/agents/${bobAgent.id}`).expect(401);
    await t.http.get(`/agents/${bobAgent.id}/llm-configuration`).expect(401);
    await t.http.get(`/agents/${bobAgent.id}/tools`).expect(401);
    await t.http.get('/voices').expect(401);
    await t.http.post('/agents').send({}).expect(401);
  });

  it('documents both credentials on every route in the OpenAPI document', async () => {
    const document = (await t.http.get('/docs-json').expect(200)).body as { paths: Record<string, Record<string, { security?: unknown }>> };
    const paths = Object.keys(document.paths).filter((p) => p.startsWith('/agents') || p === '/voices');
    expect(paths.sort()).toEqual([
      '/agents',
      '/agents/{agentId}/calls',
      '/agents/{agentId}/llm-configuration',
      '/agents/{agentId}/phone-numbers',
      '/agents/{agentId}/phone-numbers/import',
      '/agents/{agentId}/tools',
      '/agents/{agentId}/tools/{toolId}',
      '/agents/{agentId}/web-calls',
      '/agents/{id}',
      '/agents/{id}/publish',
      '/voices',
    ]);
    for (const path of paths) {
      for (const operation of Object.values(document.paths[path]!)) {
        expect(operation.security).toEqual([{ bearer: [] }, { 'api-key': [] }]);
      }
    }
  });
});
