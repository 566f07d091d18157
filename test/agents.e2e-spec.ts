import Retell from 'retell-sdk';
import { bootTestApp, type TestApp } from './support/app.js';
import { agentBody, createAgent, customTool, expectRetellMatchesDatabase, insertPhoneNumberRow, OTHER_VOICE, VOICE } from './support/agents.js';
import { createApiKey, createUser, type TestUser } from './support/factories.js';

type Json = Record<string, unknown>;

describe('Agents (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const latest = (versions: Array<{ version: number; is_published: boolean; config: Json }>) => versions[versions.length - 1]!;
  const remoteAgent = (retellAgentId: string) => t.emulator.state.agents.get(retellAgentId)!;
  const remoteLlm = (llmId: string) => t.emulator.state.llms.get(llmId)!;
  const llmIdOf = async (agentId: number) =>
    (await t.db.query<{ retell_llm_id: string }>('select retell_llm_id from llm_configurations where agent_id = $1', [agentId]))[0]!.retell_llm_id;

  describe('create', () => {
    it('creates the Retell LLM with its tools, the Retell agent on it, and the rows', async () => {
      const user = await createUser(t.http);
      const created = await createAgent(t.http, user, { tools: [{ toolType: 'end_call', toolConfig: { name: 'hang_up' } }, customTool('lookup')] });

      expect(created).toMatchObject({ voiceId: VOICE, isActive: true, version: 0, isPublished: false, publishedVersion: null });
      expect(created.llmConfiguration).toMatchObject({ model: 'gpt-4.1', s2sModel: null, temperature: 0.2, highPriority: false, beginMessage: 'Hello!' });
      expect(created.tools.map((tool) => [tool.toolType, tool.name])).toEqual([['end_call', 'hang_up'], ['custom', 'lookup']]);

      const agent = latest(remoteAgent(created.retellAgentId).versions);
      const llmId = await llmIdOf(created.id);
      expect(agent.config).toMatchObject({
        agent_name: created.name,
        voice_id: VOICE,
        response_engine: { type: 'retell-llm', llm_id: llmId },
        webhook_url: `${t.baseUrl}/webhooks/retell`,
      });
      expect(latest(remoteLlm(llmId).versions).config).toMatchObject({
        model: 'gpt-4.1',
        s2s_model: null,
        model_temperature: 0.2,
        general_prompt: 'You are a helpful receptionist.',
        begin_message: 'Hello!',
        general_tools: [{ type: 'end_call', name: 'hang_up' }, { type: 'custom', name: 'lookup', url: 'https://api.example.com/orders/lookup' }],
      });
      await expectRetellMatchesDatabase(t);
    });

    it('creates a speech-to-speech agent (s2sModel instead of model)', async () => {
      const user = await createUser(t.http);
      const created = await createAgent(t.http, user, { llmConfiguration: { s2sModel: 'gpt-realtime' }, tools: [] });
      expect(created.llmConfiguration).toMatchObject({ model: null, s2sModel: 'gpt-realtime', temperature: 0 });
      expect(latest(remoteLlm(await llmIdOf(created.id)).versions).config).toMatchObject({ model: null, s2s_model: 'gpt-realtime' });
    });

    it.each<[string, Json, string]>([
      ['both models', { llmConfiguration: { model: 'gpt-4.1', s2sModel: 'gpt-realtime' } }, 'llmConfiguration.model'],
      ['no model', { llmConfiguration: { temperature: 0.5 } }, 'llmConfiguration.model'],
      ['a model Retell does not offer', { llmConfiguration: { model: 'gpt-4o' } }, 'llmConfiguration.model'],
      ['a speech model Retell does not offer', { llmConfiguration: { s2sModel: 'gpt-4.1' } }, 'llmConfiguration.s2sModel'],
      ['temperature above 1', { llmConfiguration: { model: 'gpt-4.1', temperature: 1.5 } }, 'llmConfiguration.temperature'],
      ['temperature below 0', { llmConfiguration: { model: 'gpt-4.1', temperature: -0.1 } }, 'llmConfiguration.temperature'],
      ['an unknown voice', { voiceId: 'nobody-Voice' }, 'voiceId'],
      ['no LLM configuration', { llmConfiguration: undefined }, 'llmConfiguration'],
      ['a blank name', { name: '   ' }, 'name'],
      ['a tool type Retell lacks', { tools: [{ toolType: 'webhook', toolConfig: { name: 'x' } }] }, 'tools.0.toolType'],
      ['a tool missing a required field', { tools: [{ toolType: 'custom', toolConfig: { name: 'x' } }] }, 'tools.0.toolConfig.url'],
      ['a tool name with a space', { tools: [{ toolType: 'end_call', toolConfig: { name: 'hang up' } }] }, 'tools.0.toolConfig.name'],
      ['two tools with one name', { tools: [customTool('same'), { toolType: 'end_call', toolConfig: { name: 'same' } }] }, 'tools.1.toolConfig.name'],
      ['a tool URL on a private host', { tools: [{ toolType: 'custom', toolConfig: { name: 'x', url: 'https://10.0.0.1/x' } }] }, 'tools.0.toolConfig.url'],
      ['an MCP server on loopback', { llmConfiguration: { model: 'gpt-4.1', mcps: [{ name: 'crm', url: 'https://127.0.0.1/mcp' }] } }, 'llmConfiguration.mcps.0.url'],
      ['an unknown field', { retellAgentId: 'agent_x' }, 'retellAgentId'],
      ['an owner', { userId: 1 }, 'userId'],
    ])('refuses %s with a 400 naming the field, and creates nothing anywhere', async (_case, overrides, field) => {
      const user = await createUser(t.http);
      const agentsBefore = t.emulator.state.agents.size;
      const llmsBefore = t.emulator.state.llms.size;
      const response = await t.http.post('/agents').set('authorization', user.bearer).send(agentBody(overrides)).expect(400);
      expect(response.body).toMatchObject({ statusCode: 400, message: 'Validation failed' });
      expect(response.body.details.map((d: { field: string }) => d.field)).toContain(field);
      expect(t.emulator.state.agents.size).toBe(agentsBefore);
      expect(t.emulator.state.llms.size).toBe(llmsBefore);
      expect(await t.db.query('select id from agents where user_id = $1', [user.id])).toEqual([]);
    });

    it('reports every problem of a request at once', async () => {
      const user = await createUser(t.http);
      const response = await t.http
        .post('/agents')
        .set('authorization', user.bearer)
        .send(agentBody({ voiceId: 'nobody-Voice', llmConfiguration: { temperature: 0.5 }, tools: [{ toolType: 'custom', toolConfig: { name: 'x', url: 'http://example.com' } }] }))
        .expect(400);
      expect(response.body.details).toEqual(
        expect.arrayContaining([
          { field: 'voiceId', messages: ['is not a voice Retell offers (see GET /voices)'] },
          { field: 'llmConfiguration.model', messages: ['one of model or s2sModel is required'] },
          { field: 'tools.0.toolConfig.url', messages: ['must use https'] },
        ]),
      );
    });

    it('works with an API key as well as a token', async () => {
      const user = await createUser(t.http);
      const { key } = await createApiKey(t.http, user);
      const created = await createAgent(t.http, { apiKey: key });
      const listed = await t.http.get('/agents').set('authorization', user.bearer).expect(200);
      expect(listed.body.items.map((a: { id: number }) => a.id)).toEqual([created.id]);
      await t.http.get(`/agents/${created.id}`).set('x-api-key', key).expect(200);
    });
  });

  describe('read', () => {
    it('returns one agent with its LLM configuration and tools', async () => {
      const user = await createUser(t.http);
      const created = await createAgent(t.http, user);
      const response = await t.http.get(`/agents/${created.id}`).set('authorization', user.bearer).expect(200);
      expect(response.body).toEqual(created);
    });

    it('answers exactly what the parts’ own routes answer, to the byte (µs timestamps, MCP servers, nested tool config)', async () => {
      const user = await createUser(t.http);
      const created = await createAgent(t.http, user, {
        description: null,
        llmConfiguration: {
          model: 'gpt-4.1',
          temperature: 0.35,
          mcps: [{ name: 'crm', url: 'https://mcp.example.com/sse', headers: { 'x-tenant': 'acme', Authorization: 'Bearer t' }, timeoutMs: 30_000 }],
        },
        tools: [
          { toolType: 'end_call', toolConfig: { name: 'hang_up' } },
          {
            toolType: 'custom',
            toolConfig: {
              ...customTool('lookup').toolConfig,
              parameters: { type: 'object', properties: { order: { type: 'string', description: 'Order number, e.g. “A-1”' } }, required: ['order'] },
            },
          },
        ],
      });
      // Timestamps as the updated_at trigger and other writers leave them: microseconds, some a hair below the next ms.
      await t.db.query(`update agents set created_at = '2024-02-29 23:59:59.999999' where id = $1`, [created.id]);
      await t.db.query(`update llm_configurations set created_at = '1999-12-31 23:59:59.000501' where agent_id = $1`, [created.id]);
      await t.db.query(`update agent_tools set created_at = '2026-01-01 00:00:00.123456' where agent_id = $1`, [created.id]);

      const detail = await t.http.get(`/agents/${created.id}`).set('authorization', user.bearer).expect(200);
      const listed = await t.http.get('/agents').set('authorization', user.bearer).expect(200);
      const llm = await t.http.get(`/agents/${created.id}/llm-configuration`).set('authorization', user.bearer).expect(200);
      const tools = await t.http.get(`/agents/${created.id}/tools`).set('authorization', user.bearer).expect(200);
      const agent = listed.body.items.find((item: { id: number }) => item.id === created.id);
      expect(detail.text).toBe(JSON.stringify({ ...agent, llmConfiguration: llm.body, tools: tools.body.items }));
      expect(detail.body).toMatchObject({ createdAt: '2024-02-29T23:59:59.999Z', llmConfiguration: { createdAt: '1999-12-31T23:59:59.000Z' } });
      expect(detail.body.tools.map((tool: { createdAt: string }) => tool.createdAt)).toEqual(['2026-01-01T00:00:00.123Z', '2026-01-01T00:00:00.123Z']);
      expect(detail.body.updatedAt).not.toBe(created.updatedAt);
    });

    it('pages newest first, filters by isActive and searches names literally', async () => {
      const user = await createUser(t.http);
      const names = ['Front desk', 'Back office', '50% off line', 'Sales_east', 'Salesxeast'];
      const ids: number[] = [];
      for (const name of names) ids.push((await createAgent(t.http, user, { name, tools: [] })).id);
      await t.http.patch(`/agents/${ids[1]}`).set('authorization', user.bearer).send({ isActive: false }).expect(200);
      const list = (query: string) => t.http.get(`/agents${query}`).set('authorization', user.bearer).expect(200);

      const first = await list('?limit=2');
      expect(first.body.items.map((a: { name: string }) => a.name)).toEqual(['Salesxeast', 'Sales_east']);
      const second = await list(`?limit=2&cursor=${first.body.nextCursor}`);
      expect(second.body.items.map((a: { name: string }) => a.name)).toEqual(['50% off line', 'Back office']);
      const third = await list(`?limit=2&cursor=${second.body.nextCursor}`);
      expect(third.body.items.map((a: { name: string }) => a.name)).toEqual(['Front desk']);
      expect(third.body.nextCursor).toBeNull();

      expect((await list('?isActive=false')).body.items.map((a: { id: number }) => a.id)).toEqual([ids[1]]);
      expect((await list('?isActive=true')).body.items).toHaveLength(4);
      expect((await list('?q=DESK')).body.items.map((a: { name: string }) => a.name)).toEqual(['Front desk']);
      // `%` and `_` are text, not wildcards.
      expect((await list('?q=50%25')).body.items.map((a: { name: string }) => a.name)).toEqual(['50% off line']);
      expect((await list('?q=Sales_')).body.items.map((a: { name: string }) => a.name)).toEqual(['Sales_east']);
      expect((await list('?q=%25')).body.items.map((a: { name: string }) => a.name)).toEqual(['50% off line']);

      await t.http.get('/agents?isActive=maybe').set('authorization', user.bearer).expect(400);
      await t.http.get('/agents?limit=101').set('authorization', user.bearer).expect(400);
      await t.http.get('/agents?cursor=bm90LWEtY3Vyc29y').set('authorization', user.bearer).expect(400);
      await t.http.get('/agents?sort=name').set('authorization', user.bearer).expect(400);
    });
  });

  describe('update', () => {
    it('sends name and voice to Retell (onto the draft) and keeps description and isActive local', async () => {
      const user = await createUser(t.http);
      const created = await createAgent(t.http, user);
      const before = structuredClone(latest(remoteAgent(created.retellAgentId).versions).config);

      const local = await t.http.patch(`/agents/${created.id}`).set('authorization', user.bearer).send({ description: 'Night line', isActive: false }).expect(200);
      expect(local.body).toMatchObject({ description: 'Night line', isActive: false, isPublished: false });
      expect(latest(remoteAgent(created.retellAgentId).versions).config).toEqual(before);

      const renamed = await t.http.patch(`/agents/${created.id}`).set('authorization', user.bearer).send({ name: 'Night desk', voiceId: OTHER_VOICE }).expect(200);
      expect(renamed.body).toMatchObject({ name: 'Night desk', voiceId: OTHER_VOICE, description: 'Night line' });
      expect(latest(remoteAgent(created.retellAgentId).versions).config).toMatchObject({ agent_name: 'Night desk', voice_id: OTHER_VOICE });
      await expectRetellMatchesDatabase(t);
    });

    it.each<[string, Json, string]>([
      ['an unknown voice', { voiceId: 'nobody-Voice' }, 'voiceId'],
      ['a null name', { name: null }, 'name'],
      ['a null voice', { voiceId: null }, 'voiceId'],
      ['a non-boolean isActive', { isActive: 'yes' }, 'isActive'],
      ['the Retell id', { retellAgentId: 'agent_x' }, 'retellAgentId'],
      ['an owner', { userId: 2 }, 'userId'],
      ['a version', { version: 7 }, 'version'],
    ])('refuses %s (400) and changes nothing', async (_case, body, field) => {
      const user = await createUser(t.http);
      const created = await createAgent(t.http, user);
      const before = structuredClone(remoteAgent(created.retellAgentId).versions);
      const response = await t.http.patch(`/agents/${created.id}`).set('authorization', user.bearer).send(body).expect(400);
      expect(response.body.details.map((d: { field: string }) => d.field)).toContain(field);
      expect(remoteAgent(created.retellAgentId).versions).toEqual(before);
      const after = await t.http.get(`/agents/${created.id}`).set('authorization', user.bearer).expect(200);
      expect(after.body).toEqual(created);
    });
  });

  describe('outbound settings', () => {
    const outbound = {
      language: 'es-ES',
      maxCallDurationMs: 600_000,
      endCallAfterSilenceMs: 30_000,
      voicemail: { action: 'leave_message', text: 'Hola, le llamamos de la clínica: devuélvanos la llamada.' },
    };

    it('sends voicemail, max duration, language and silence to Retell, stores them and shows them in the agent and the list', async () => {
      const user = await createUser(t.http);
      const created = await createAgent(t.http, user, outbound);
      expect(created).toMatchObject(outbound);
      expect(latest(remoteAgent(created.retellAgentId).versions).config).toMatchObject({
        language: 'es-ES',
        max_call_duration_ms: 600_000,
        end_call_after_silence_ms: 30_000,
        voicemail_option: { action: { type: 'static_text', text: outbound.voicemail.text } },
      });
      const read = await t.http.get(`/agents/${created.id}`).set('authorization', user.bearer).expect(200);
      expect(read.body).toMatchObject(outbound);
      const listed = await t.http.get('/agents').set('authorization', user.bearer).expect(200);
      expect(listed.body.items[0]).toMatchObject(outbound);
    });

    it('leaves Retell its defaults when unset (null in responses), and PATCH changes, resets (null) and keeps them', async () => {
      const user = await createUser(t.http);
      const created = await createAgent(t.http, user);
      expect(created).toMatchObject({ language: null, maxCallDurationMs: null, endCallAfterSilenceMs: null, voicemail: null });
      const config = () => latest(remoteAgent(created.retellAgentId).versions).config;
      expect(config()).not.toHaveProperty('voicemail_option');

      const hangup = await t.http.patch(`/agents/${created.id}`).set('authorization', user.bearer).send({ voicemail: { action: 'hangup' }, maxCallDurationMs: 120_000 }).expect(200);
      expect(hangup.body).toMatchObject({ voicemail: { action: 'hangup' }, maxCallDurationMs: 120_000, language: null, isPublished: false });
      expect(config()).toMatchObject({ voicemail_option: { action: { type: 'hangup' } }, max_call_duration_ms: 120_000, language: 'en-US', end_call_after_silence_ms: 600_000 });

      const kept = await t.http.patch(`/agents/${created.id}`).set('authorization', user.bearer).send({ language: 'fr-CA' }).expect(200);
      expect(kept.body).toMatchObject({ voicemail: { action: 'hangup' }, maxCallDurationMs: 120_000, language: 'fr-CA' });

      const reset = await t.http.patch(`/agents/${created.id}`).set('authorization', user.bearer).send({ voicemail: null, maxCallDurationMs: null }).expect(200);
      expect(reset.body).toMatchObject({ voicemail: null, maxCallDurationMs: null, language: 'fr-CA' });
      expect(config()).toMatchObject({ voicemail_option: null, max_call_duration_ms: 3_600_000, language: 'fr-CA' });
      const read = await t.http.get(`/agents/${created.id}`).set('authorization', user.bearer).expect(200);
      expect(read.body).toMatchObject({ voicemail: null, maxCallDurationMs: null, language: 'fr-CA', endCallAfterSilenceMs: null });
    });

    it.each<[string, Json, string]>([
      ['a language Retell lacks', { language: 'xx-XX' }, 'language'],
      ['the deprecated multi', { language: 'multi' }, 'language'],
      ['a call shorter than a minute', { maxCallDurationMs: 59_999 }, 'maxCallDurationMs'],
      ['a call longer than two hours', { maxCallDurationMs: 7_200_001 }, 'maxCallDurationMs'],
      ['a fractional duration', { maxCallDurationMs: 60_000.5 }, 'maxCallDurationMs'],
      ['silence under 10 s', { endCallAfterSilenceMs: 9_999 }, 'endCallAfterSilenceMs'],
      ['an unknown voicemail action', { voicemail: { action: 'sing' } }, 'voicemail.action'],
      ['a message without text', { voicemail: { action: 'leave_message' } }, 'voicemail.text'],
      ['a blank message', { voicemail: { action: 'leave_message', text: '  ' } }, 'voicemail.text'],
      ['a message too long', { voicemail: { action: 'leave_message', text: 'x'.repeat(1001) } }, 'voicemail.text'],
      ['text with hangup', { voicemail: { action: 'hangup', text: 'bye' } }, 'voicemail.text'],
      ['an extra voicemail field', { voicemail: { action: 'hangup', detectionPrompt: 'x' } }, 'voicemail.detectionPrompt'],
      ['a voicemail string', { voicemail: 'hangup' }, 'voicemail'],
    ])('refuses %s with a 400 naming the field, on create and on PATCH, changing nothing', async (_case, fields, field) => {
      const user = await createUser(t.http);
      const agentsBefore = t.emulator.state.agents.size;
      const refused = await t.http.post('/agents').set('authorization', user.bearer).send(agentBody(fields)).expect(400);
      expect(refused.body.details.map((d: { field: string }) => d.field)).toContain(field);
      expect(t.emulator.state.agents.size).toBe(agentsBefore);

      const created = await createAgent(t.http, user);
      const before = structuredClone(remoteAgent(created.retellAgentId).versions);
      const patched = await t.http.patch(`/agents/${created.id}`).set('authorization', user.bearer).send(fields).expect(400);
      expect(patched.body.details.map((d: { field: string }) => d.field)).toContain(field);
      expect(remoteAgent(created.retellAgentId).versions).toEqual(before);
      expect((await t.http.get(`/agents/${created.id}`).set('authorization', user.bearer).expect(200)).body).toEqual(created);
    });
  });

  describe('versioning', () => {
    it('publishes the draft; later edits make a new draft that the next publish freezes', async () => {
      const user = await createUser(t.http);
      const created = await createAgent(t.http, user);
      const llmId = await llmIdOf(created.id);

      const published = await t.http.post(`/agents/${created.id}/publish`).set('authorization', user.bearer).send({ versionTitle: 'launch' }).expect(200);
      expect(published.body).toMatchObject({ version: 0, publishedVersion: 0, isPublished: true });
      expect(latest(remoteAgent(created.retellAgentId).versions)).toMatchObject({ version: 0, is_published: true, version_title: 'launch' });
      expect(latest(remoteLlm(llmId).versions)).toMatchObject({ version: 0, is_published: true });

      // Publishing again with nothing changed is a no-op.
      await t.http.post(`/agents/${created.id}/publish`).set('authorization', user.bearer).expect(200);
      expect(remoteAgent(created.retellAgentId).versions).toHaveLength(1);

      // A prompt change lands on a new LLM draft; the published versions stay as they were.
      await t.http.patch(`/agents/${created.id}/llm-configuration`).set('authorization', user.bearer).send({ generalPrompt: 'Be brief.' }).expect(200);
      const afterEdit = await t.http.get(`/agents/${created.id}`).set('authorization', user.bearer).expect(200);
      expect(afterEdit.body).toMatchObject({ version: 0, publishedVersion: 0, isPublished: false });
      expect(remoteLlm(llmId).versions.map((v) => [v.version, v.is_published])).toEqual([[0, true], [1, false]]);
      expect(remoteLlm(llmId).versions[0]!.config.general_prompt).toBe('You are a helpful receptionist.');

      // A rename lands on a new agent draft.
      const renamed = await t.http.patch(`/agents/${created.id}`).set('authorization', user.bearer).send({ name: 'Renamed' }).expect(200);
      expect(renamed.body).toMatchObject({ version: 1, publishedVersion: 0, isPublished: false });
      expect(remoteAgent(created.retellAgentId).versions[0]!.config.agent_name).toBe(created.name);

      // Publishing freezes both: the agent's version 1 runs on the LLM's version 1.
      const second = await t.http.post(`/agents/${created.id}/publish`).set('authorization', user.bearer).expect(200);
      expect(second.body).toMatchObject({ version: 1, publishedVersion: 1, isPublished: true });
      const agentV1 = latest(remoteAgent(created.retellAgentId).versions);
      expect(agentV1).toMatchObject({ version: 1, is_published: true, config: { agent_name: 'Renamed', response_engine: { llm_id: llmId, version: 1 } } });
      expect(latest(remoteLlm(llmId).versions)).toMatchObject({ version: 1, is_published: true, config: { general_prompt: 'Be brief.' } });
      await expectRetellMatchesDatabase(t);
    });

    it('publishes an LLM-only change by giving the agent a new draft on the new LLM version', async () => {
      const user = await createUser(t.http);
      const created = await createAgent(t.http, user);
      const llmId = await llmIdOf(created.id);
      await t.http.post(`/agents/${created.id}/publish`).set('authorization', user.bearer).expect(200);
      await t.http.post(`/agents/${created.id}/tools`).set('authorization', user.bearer).send(customTool('later')).expect(201);

      const published = await t.http.post(`/agents/${created.id}/publish`).set('authorization', user.bearer).expect(200);
      expect(published.body).toMatchObject({ version: 1, publishedVersion: 1, isPublished: true });
      expect(latest(remoteAgent(created.retellAgentId).versions)).toMatchObject({ version: 1, is_published: true, config: { response_engine: { version: 1 } } });
      expect(latest(remoteLlm(llmId).versions).config.general_tools).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'later' })]));
      expect(latest(remoteLlm(llmId).versions).is_published).toBe(true);
    });
  });

  describe('delete', () => {
    it('deletes the Retell agent, then its LLM, then the rows (tools and configuration cascade)', async () => {
      const user = await createUser(t.http);
      const created = await createAgent(t.http, user);
      const llmId = await llmIdOf(created.id);

      await t.http.delete(`/agents/${created.id}`).set('authorization', user.bearer).expect(204);

      expect(t.emulator.state.agents.has(created.retellAgentId)).toBe(false);
      expect(t.emulator.state.llms.has(llmId)).toBe(false);
      for (const table of ['agents where id', 'llm_configurations where agent_id', 'agent_tools where agent_id']) {
        expect(await t.db.query(`select 1 from ${table} = $1`, [created.id])).toEqual([]);
      }
      await t.http.get(`/agents/${created.id}`).set('authorization', user.bearer).expect(404);
      await t.http.delete(`/agents/${created.id}`).set('authorization', user.bearer).expect(404);
      await expectRetellMatchesDatabase(t);
    });

    it('releases the agent’s phone numbers at Retell (their rows cascade)', async () => {
      const user = await createUser(t.http);
      const created = await createAgent(t.http, user);
      const retell = t.app.get(Retell);
      const number = await retell.phoneNumber.create({ area_code: 415, inbound_agents: [{ agent_id: created.retellAgentId, weight: 1 }] });
      await insertPhoneNumberRow(t, created.id, number.phone_number);

      await t.http.delete(`/agents/${created.id}`).set('authorization', user.bearer).expect(204);

      expect(t.emulator.state.phoneNumbers.has(number.phone_number)).toBe(false);
      expect(await t.db.query('select 1 from phone_numbers where phone_number = $1', [number.phone_number])).toEqual([]);
    });

    it('treats an agent Retell no longer has (422) as deleted, and still removes its LLM and rows', async () => {
      const user = await createUser(t.http);
      const created = await createAgent(t.http, user);
      const llmId = await llmIdOf(created.id);
      await t.app.get(Retell).agent.delete(created.retellAgentId);

      await t.http.delete(`/agents/${created.id}`).set('authorization', user.bearer).expect(204);
      expect(t.emulator.state.llms.has(llmId)).toBe(false);
      expect(await t.db.query('select 1 from agents where id = $1', [created.id])).toEqual([]);
    });
  });

  describe('another tenant', () => {
    let alice: TestUser;
    let bob: TestUser;
    let bobKey: string;
    let agent: Awaited<ReturnType<typeof createAgent>>;

    beforeAll(async () => {
      alice = await createUser(t.http);
      bob = await createUser(t.http);
      bobKey = (await createApiKey(t.http, bob)).key;
      agent = await createAgent(t.http, alice, { tools: [customTool('alice_tool')] });
    });

    it('lists only the caller’s agents', async () => {
      await createAgent(t.http, bob);
      const bobs = await t.http.get('/agents').set('x-api-key', bobKey).expect(200);
      expect(bobs.body.items.map((a: { id: number }) => a.id)).not.toContain(agent.id);
    });

    it('cannot point a tool at another tenant’s agent', async () => {
      const response = await t.http
        .post('/agents')
        .set('authorization', bob.bearer)
        .send(agentBody({ tools: [{ toolType: 'agent_swap', toolConfig: { name: 'swap', agent_id: agent.retellAgentId, post_call_analysis_setting: 'both_agents' } }] }))
        .expect(400);
      expect(response.body.details).toEqual([{ field: 'tools.0.toolConfig.agent_id', messages: ['must be the retellAgentId of one of your agents'] }]);
    });
  });
});
