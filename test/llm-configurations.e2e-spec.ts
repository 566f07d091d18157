import { bootTestApp, type TestApp } from './support/app.js';
import { createAgent, expectRetellMatchesDatabase, type AgentBody } from './support/agents.js';
import { createApiKey, createUser, type TestUser } from './support/factories.js';

type Json = Record<string, unknown>;

describe('LLM configurations (e2e)', () => {
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    t = await bootTestApp();
    user = await createUser(t.http);
  });
  afterAll(async () => {
    await t.close();
  });

  const path = (agent: AgentBody) => `/agents/${agent.id}/llm-configuration`;
  const remoteLlm = async (agentId: number): Promise<Json> => {
    const [row] = await t.db.query<{ retell_llm_id: string }>('select retell_llm_id from llm_configurations where agent_id = $1', [agentId]);
    const llm = t.emulator.state.llms.get(row!.retell_llm_id)!;
    return llm.versions[llm.versions.length - 1]!.config;
  };

  it('reads the configuration', async () => {
    const agent = await createAgent(t.http, user);
    const response = await t.http.get(path(agent)).set('authorization', user.bearer).expect(200);
    expect(response.body).toEqual(agent.llmConfiguration);
  });

  it('updates Retell, then the database, with every field it owns', async () => {
    const agent = await createAgent(t.http, user);
    const response = await t.http
      .patch(path(agent))
      .set('authorization', user.bearer)
      .send({ temperature: 0.7, highPriority: true, generalPrompt: 'Be brief.', beginMessage: '', mcps: [{ name: 'crm', url: 'https://mcp.example.com/sse', headers: { Authorization: 'Bearer t' }, timeoutMs: 30_000 }] })
      .expect(200);
    expect(response.body).toMatchObject({
      model: 'gpt-4.1',
      temperature: 0.7,
      highPriority: true,
      generalPrompt: 'Be brief.',
      beginMessage: '',
      mcps: [{ name: 'crm', url: 'https://mcp.example.com/sse', headers: { Authorization: 'Bearer t' }, queryParams: null, timeoutMs: 30_000 }],
    });
    expect(await remoteLlm(agent.id)).toMatchObject({
      model: 'gpt-4.1',
      s2s_model: null,
      model_temperature: 0.7,
      model_high_priority: true,
      general_prompt: 'Be brief.',
      begin_message: '',
      mcps: [{ name: 'crm', url: 'https://mcp.example.com/sse', headers: { Authorization: 'Bearer t' }, timeout_ms: 30_000 }],
      // Tools are untouched by a configuration change.
      general_tools: [{ type: 'end_call', name: 'end_call', description: 'Hang up politely' }],
    });
    const agentNow = await t.http.get(`/agents/${agent.id}`).set('authorization', user.bearer).expect(200);
    expect(agentNow.body.isPublished).toBe(false);
    await expectRetellMatchesDatabase(t);
  });

  it('switches between a text and a speech-to-speech model with one field', async () => {
    const agent = await createAgent(t.http, user);
    const s2s = await t.http.patch(path(agent)).set('authorization', user.bearer).send({ s2sModel: 'gpt-realtime-mini' }).expect(200);
    expect(s2s.body).toMatchObject({ model: null, s2sModel: 'gpt-realtime-mini' });
    expect(await remoteLlm(agent.id)).toMatchObject({ model: null, s2s_model: 'gpt-realtime-mini' });
    const text = await t.http.patch(path(agent)).set('authorization', user.bearer).send({ model: 'claude-4.5-haiku' }).expect(200);
    expect(text.body).toMatchObject({ model: 'claude-4.5-haiku', s2sModel: null });
    expect(await remoteLlm(agent.id)).toMatchObject({ model: 'claude-4.5-haiku', s2s_model: null });
    await expectRetellMatchesDatabase(t);
  });

  it('clears nullable fields with null', async () => {
    const agent = await createAgent(t.http, user);
    const response = await t.http.patch(path(agent)).set('authorization', user.bearer).send({ generalPrompt: null, beginMessage: null }).expect(200);
    expect(response.body).toMatchObject({ generalPrompt: null, beginMessage: null });
    expect(await remoteLlm(agent.id)).toMatchObject({ general_prompt: null, begin_message: null });
  });

  it.each<[string, Json, string]>([
    ['both models', { model: 'gpt-4.1', s2sModel: 'gpt-realtime' }, 'model'],
    ['clearing the only model', { model: null }, 'model'],
    ['an unknown model', { model: 'gpt-3.5-turbo' }, 'model'],
    ['a temperature of 2', { temperature: 2 }, 'temperature'],
    ['a null temperature', { temperature: null }, 'temperature'],
    ['a string temperature', { temperature: '0.5' }, 'temperature'],
    ['a null highPriority', { highPriority: null }, 'highPriority'],
    ['an MCP server over http', { mcps: [{ name: 'crm', url: 'http://mcp.example.com' }] }, 'mcps.0.url'],
    ['an MCP server on a private address', { mcps: [{ name: 'crm', url: 'https://192.168.0.10/mcp' }] }, 'mcps.0.url'],
    ['two MCP servers with one name', { mcps: [{ name: 'a', url: 'https://a.example.com' }, { name: 'a', url: 'https://b.example.com' }] }, 'mcps.1.name'],
    ['an unknown MCP field', { mcps: [{ name: 'a', url: 'https://a.example.com', token: 'x' }] }, 'mcps.0.token'],
    ['the Retell LLM id', { retellLlmId: 'llm_x' }, 'retellLlmId'],
    ['another agent id', { agentId: 1 }, 'agentId'],
    ['tools', { generalTools: [] }, 'generalTools'],
  ])('refuses %s (400) and changes nothing', async (_case, body, field) => {
    const agent = await createAgent(t.http, user);
    const before = structuredClone(await remoteLlm(agent.id));
    const response = await t.http.patch(path(agent)).set('authorization', user.bearer).send(body).expect(400);
    expect(response.body.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(await remoteLlm(agent.id)).toEqual(before);
    expect((await t.http.get(path(agent)).set('authorization', user.bearer).expect(200)).body).toEqual(agent.llmConfiguration);
  });

  it('does not talk to Retell when nothing changes', async () => {
    const agent = await createAgent(t.http, user);
    t.emulator.injectFault({ path: '/update-retell-llm', kind: 'status', status: 500 });
    try {
      await t.http.patch(path(agent)).set('authorization', user.bearer).send({ model: 'gpt-4.1', temperature: 0.2 }).expect(200);
    } finally {
      t.emulator.clearFaults();
    }
  });

  it('works with an API key', async () => {
    const { key } = await createApiKey(t.http, user);
    const agent = await createAgent(t.http, user);
    await t.http.get(path(agent)).set('x-api-key', key).expect(200);
    const response = await t.http.patch(path(agent)).set('x-api-key', key).send({ temperature: 0.9 }).expect(200);
    expect(response.body.temperature).toBe(0.9);
  });
});
