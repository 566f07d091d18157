import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import Retell from 'retell-sdk';
import { startEmulator, type EmulatorHarness } from './test-kit.js';

/**
 * A round trip through the real retell-sdk 5.66.1 client for every method the app uses. Every response also passes
 * through the OpenAPI conformance check (see `afterEach`).
 */
describe('RetellEmulator through retell-sdk', () => {
  let harness: EmulatorHarness;
  let client: Retell;

  beforeAll(async () => {
    harness = await startEmulator();
    client = harness.client();
  });

  afterEach(() => {
    harness.emulator.reset();
    expect(harness.violations.splice(0)).toEqual([]);
  });

  afterAll(() => harness.stop());

  const createLlm = () =>
    client.llm.create({
      general_prompt: 'You are a friendly receptionist.',
      begin_message: 'Hello {{customer_name}}, this is Ava.',
      model: 'gpt-4.1',
      model_temperature: 0.2,
      general_tools: [{ type: 'end_call', name: 'end_call' }],
    });

  const createAgent = async (fields: Partial<Retell.AgentCreateParams> = {}) => {
    const llm = await createLlm();
    return client.agent.create({
      response_engine: { type: 'retell-llm', llm_id: llm.llm_id },
      voice_id: '11labs-Adrian',
      agent_name: 'Ava',
      ...fields,
    });
  };

  describe('voices and concurrency', () => {
    it('lists a catalogue across providers and retrieves one voice', async () => {
      const voices = await client.voice.list();
      expect(voices.length).toBeGreaterThanOrEqual(20);
      expect(new Set(voices.map((v) => v.provider))).toEqual(new Set(['elevenlabs', 'openai', 'cartesia', 'minimax', 'platform']));
      await expect(client.voice.retrieve('openai-Alloy')).resolves.toMatchObject({ voice_id: 'openai-Alloy', provider: 'openai' });
    });

    it('reports live calls as current concurrency', async () => {
      await expect(client.concurrency.retrieve()).resolves.toMatchObject({ current_concurrency: 0, concurrency_limit: 20 });
    });
  });

  describe('Retell LLMs', () => {
    it('creates (201), retrieves, updates, lists and deletes', async () => {
      const { data: llm, response } = await createLlm().withResponse();
      expect(response.status).toBe(201);
      expect(llm).toMatchObject({ llm_id: expect.stringMatching(/^llm_[0-9a-f]{26}$/), version: 0, is_published: false, model: 'gpt-4.1' });
      expect(typeof llm.last_modification_timestamp).toBe('number');

      await expect(client.llm.retrieve(llm.llm_id)).resolves.toEqual(llm);
      const updated = await client.llm.update(llm.llm_id, { model_temperature: 0.7, s2s_model: 'gpt-realtime' });
      expect(updated).toMatchObject({ model_temperature: 0.7, s2s_model: 'gpt-realtime', model: null, general_prompt: llm.general_prompt });

      const page = await client.llm.list();
      expect(page).toMatchObject({ has_more: false, items: [expect.objectContaining({ llm_id: llm.llm_id })] });

      await client.llm.delete(llm.llm_id);
      expect(harness.emulator.state.llms.size).toBe(0);
      await expect(client.llm.retrieve(llm.llm_id)).rejects.toBeInstanceOf(Retell.UnprocessableEntityError);
    });

    it('refuses to delete an LLM an agent uses unless force_delete is set', async () => {
      const agent = await createAgent();
      const llmId = (agent.response_engine as Retell.AgentResponse.ResponseEngineRetellLm).llm_id;
      await expect(client.llm.delete(llmId)).rejects.toBeInstanceOf(Retell.BadRequestError);
      expect(harness.emulator.state.llms.has(llmId)).toBe(true);
      await client.llm.delete(llmId, { force_delete: true });
      expect(harness.emulator.state.llms.has(llmId)).toBe(false);
    });
  });

  describe('agents', () => {
    it('creates (201), retrieves, updates, lists and deletes', async () => {
      const llm = await createLlm();
      const { data: agent, response } = await client.agent
        .create({ response_engine: { type: 'retell-llm', llm_id: llm.llm_id }, voice_id: '11labs-Adrian', agent_name: 'Ava' })
        .withResponse();
      expect(response.status).toBe(201);
      expect(agent).toMatchObject({ agent_id: expect.stringMatching(/^[A-Za-z0-9]{32}$/), version: 0, is_published: false, agent_name: 'Ava' });

      await expect(client.agent.retrieve(agent.agent_id)).resolves.toEqual(agent);
      const updated = await client.agent.update(agent.agent_id, { agent_name: 'Ava 2', voice_speed: 1.2 });
      expect(updated).toMatchObject({ agent_name: 'Ava 2', voice_speed: 1.2, version: 0, voice_id: '11labs-Adrian' });

      const list = await client.agent.list({ filter_criteria: { channel: { type: 'string', op: 'eq', value: 'voice' } } });
      expect(list).toEqual({
        has_more: false,
        items: [{ agent_id: agent.agent_id, agent_name: 'Ava 2', channel: 'voice', tags: {}, user_modified_timestamp: expect.any(Number) }],
      });
      await expect(client.agent.list({ filter_criteria: { query: 'nobody' } })).resolves.toMatchObject({ items: [] });

      await client.agent.delete(agent.agent_id);
      expect(harness.emulator.state.agents.size).toBe(0);
      await expect(client.agent.retrieve(agent.agent_id)).rejects.toBeInstanceOf(Retell.UnprocessableEntityError);
    });

    it('publishes versions in place and edits a new draft after publishing', async () => {
      const agent = await createAgent();
      const { response } = await client.agent.publish(agent.agent_id, { version: 0, version_title: 'Launch' }).withResponse();
      expect(response.status).toBe(200);
      const published = await client.agent.retrieve(agent.agent_id, { version: 0 });
      expect(published).toMatchObject({ is_published: true, version_title: 'Launch' });
      // Publishing pins the Retell LLM version the agent runs on and publishes it too.
      const engine = published.response_engine as Retell.AgentResponse.ResponseEngineRetellLm;
      expect(engine.version).toBe(0);
      await expect(client.llm.retrieve(engine.llm_id)).resolves.toMatchObject({ is_published: true });

      // The LLM version is frozen with the agent: editing the LLM now edits a new draft version of it.
      await expect(client.llm.update(engine.llm_id, { general_prompt: 'New prompt' })).resolves.toMatchObject({ version: 1, is_published: false });
      await expect(client.llm.retrieve(engine.llm_id, { version: 0 })).resolves.toMatchObject({ general_prompt: 'You are a friendly receptionist.' });

      const draft = await client.agent.update(agent.agent_id, { agent_name: 'Ava v1' });
      expect(draft).toMatchObject({ version: 1, base_version: 0, is_published: false, agent_name: 'Ava v1' });
      await expect(client.agent.retrieve(agent.agent_id, { version: 0 })).resolves.toMatchObject({ agent_name: 'Ava' });
      await expect(client.agent.retrieve(agent.agent_id, { version: 'latest_published' })).resolves.toMatchObject({ version: 0 });
      await expect(client.agent.update(agent.agent_id, { version: 0, agent_name: 'x' })).rejects.toBeInstanceOf(Retell.BadRequestError);

      const branched = await client.agent.createVersion(agent.agent_id, { base_version: 0 });
      expect(branched).toMatchObject({ version: 2, base_version: 0, agent_name: 'Ava' });

      await expect(client.agent.update(agent.agent_id, { version: 2, agent_name: 'Ava v2' })).resolves.toMatchObject({ version: 2, agent_name: 'Ava v2' });
      await expect(client.agent.retrieve(agent.agent_id)).resolves.toMatchObject({ version: 2 });

      const versions = await client.agent.listVersions(agent.agent_id, { sort_order: 'ascending' });
      expect(versions.items.map((v) => [v.version, v.is_published])).toEqual([
        [0, true],
        [1, false],
        [2, false],
      ]);
      await expect(client.agent.publish(agent.agent_id, { version: 0 })).rejects.toBeInstanceOf(Retell.BadRequestError);
      await expect(client.agent.publish(agent.agent_id, { version: 9 })).rejects.toBeInstanceOf(Retell.NotFoundError);
    });
  });

  describe('phone numbers', () => {
    it('buys (201), imports, binds agents, retrieves with + in the path, lists and deletes', async () => {
      const agent = await createAgent();
      const { data: bought, response } = await client.phoneNumber.create({ area_code: 415, nickname: 'Front desk' }).withResponse();
      expect(response.status).toBe(201);
      expect(bought).toMatchObject({ phone_number: expect.stringMatching(/^\+1415[2-9]\d{6}$/), phone_number_type: 'retell-twilio', area_code: 415, nickname: 'Front desk' });
      expect(bought.phone_number_pretty).toMatch(/^\+1 \(415\) \d{3}-\d{4}$/);

      const imported = await client.phoneNumber.import({ phone_number: '+14155550100', termination_uri: 'acme.pstn.twilio.com', sip_trunk_auth_password: 'secret' });
      expect(imported).toMatchObject({ phone_number_type: 'custom', sip_outbound_trunk_config: { termination_uri: 'acme.pstn.twilio.com' } });
      expect(JSON.stringify(imported)).not.toContain('secret');

      const bound = await client.phoneNumber.update(bought.phone_number, {
        inbound_agents: [{ agent_id: agent.agent_id, weight: 1 }],
        outbound_agents: [{ agent_id: agent.agent_id, agent_version: 0, weight: 1 }],
      });
      expect(bound.inbound_agents).toEqual([{ agent_id: agent.agent_id, weight: 1 }]);
      await expect(client.phoneNumber.retrieve(bought.phone_number)).resolves.toEqual(bound);

      const list = await client.phoneNumber.list({ sort_order: 'ascending' });
      expect(list.items.map((n) => n.phone_number)).toEqual([bought.phone_number, '+14155550100']);

      await client.phoneNumber.delete('+14155550100');
      await client.phoneNumber.delete(bought.phone_number);
      expect(harness.emulator.state.phoneNumbers.size).toBe(0);
    });
  });

  describe('calls', () => {
    async function numberWithAgent() {
      const agent = await createAgent();
      const number = await client.phoneNumber.create({ outbound_agents: [{ agent_id: agent.agent_id, weight: 1 }] });
      return { agent, from: number.phone_number };
    }

    it('creates a phone call (201, registered) that plays through to an analysed call', async () => {
      const { agent, from } = await numberWithAgent();
      const { data: call, response } = await client.call
        .createPhoneCall({ from_number: from, to_number: '+12137774445', metadata: { tenant: 't1' }, retell_llm_dynamic_variables: { customer_name: 'Sam' } })
        .withResponse();
      expect(response.status).toBe(201);
      expect(call).toMatchObject({
        call_type: 'phone_call',
        call_status: 'registered',
        direction: 'outbound',
        agent_id: agent.agent_id,
        agent_version: 0,
        from_number: from,
        to_number: '+12137774445',
        metadata: { tenant: 't1' },
      });

      await harness.emulator.waitForIdle();
      const done = (await client.call.retrieve(call.call_id)) as Retell.PhoneCallResponse;
      expect(done).toMatchObject({ call_status: 'ended', disconnection_reason: 'agent_hangup', call_analysis: { call_successful: true, user_sentiment: 'Positive' } });
      expect(done.end_timestamp).toBeGreaterThanOrEqual(done.start_timestamp!);
      expect(done.duration_ms).toBe(done.end_timestamp! - done.start_timestamp!);
      expect(done.transcript).toContain('Agent: Hello Sam, this is Ava.');
      expect(done.transcript_object?.[0]).toMatchObject({ role: 'agent', words: expect.any(Array) });
      expect(done.recording_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/__emulator\/media\/.+\/recording\.wav$/);
      expect(done.call_cost?.combined_cost).toBeGreaterThan(0);
    });

    it('replays a create-phone-call with the same idempotency_key instead of placing a second call', async () => {
      const { from } = await numberWithAgent();
      // SDK 5.66.1 does not type idempotency_key yet, but Retell's OpenAPI document (2026-10-04) accepts it.
      const body = { from_number: from, to_number: '+12137774445', idempotency_key: 'order-1234' } as Retell.CallCreatePhoneCallParams;
      const first = await client.call.createPhoneCall(body);
      const again = await client.call.createPhoneCall(body);
      expect(again.call_id).toBe(first.call_id);
      expect(harness.emulator.state.calls.size).toBe(1);
    });

    it('creates a web call (201) with a gateway access token', async () => {
      const agent = await createAgent();
      const { data: web, response } = await client.call.createWebCall({ agent_id: agent.agent_id, metadata: { user: 'u1' } }).withResponse();
      expect(response.status).toBe(201);
      expect(web).toEqual({ call_id: expect.any(String), access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/), expires_at: expect.any(Number), ice_servers: expect.any(Array), transport: 'gateway' });
      await expect(client.call.retrieve(web.call_id)).resolves.toMatchObject({ call_type: 'web_call', access_token: web.access_token, metadata: { user: 'u1' } });
    });

    it('lists calls without transcripts, filtered and paginated', async () => {
      const { agent, from } = await numberWithAgent();
      const first = await client.call.createPhoneCall({ from_number: from, to_number: '+12137770011' });
      const second = await client.call.createPhoneCall({ from_number: from, to_number: '+12137770022' });
      await client.call.createWebCall({ agent_id: agent.agent_id });
      await harness.emulator.waitForIdle();

      const phoneCalls = await client.call.list({ filter_criteria: { call_type: { type: 'enum', op: 'in', value: ['phone_call'] } }, include_total: true });
      expect(phoneCalls.total).toBe(2);
      expect(phoneCalls.items.map((c) => c.call_id)).toEqual([second.call_id, first.call_id]);
      expect(phoneCalls.items[0]).not.toHaveProperty('transcript');
      expect(phoneCalls.items[0]).toHaveProperty('call_analysis');

      const byNumber = await client.call.list({ filter_criteria: { to_number: { type: 'string', op: 'ew', value: '0011' } } });
      expect(byNumber.items.map((c) => c.call_id)).toEqual([first.call_id]);

      const page1 = await client.call.list({ limit: 2, sort_order: 'ascending' });
      expect(page1).toMatchObject({ has_more: true, pagination_key: second.call_id });
      const page2 = await client.call.list({ limit: 2, sort_order: 'ascending', pagination_key: page1.pagination_key });
      expect(page2.has_more).toBe(false);
      expect(page2.items).toHaveLength(1);
    });

    it('updates metadata, stops a live call and deletes calls', async () => {
      const { from } = await numberWithAgent();
      const call = await client.call.createPhoneCall({ from_number: from, to_number: '+12137770005' }); // …0005: stays on the line
      const updated = await client.call.update(call.call_id, { metadata: { note: 'vip' } });
      expect(updated.metadata).toEqual({ note: 'vip' });
      await expect(client.call.delete(call.call_id)).rejects.toBeInstanceOf(Retell.BadRequestError);

      await expect(client.concurrency.retrieve()).resolves.toMatchObject({ current_concurrency: 1 });

      const { response } = await client.call.stop(call.call_id).withResponse();
      expect(response.status).toBe(204);
      await harness.emulator.waitForIdle();
      await expect(client.call.retrieve(call.call_id)).resolves.toMatchObject({ disconnection_reason: 'manual_stopped' });
      await expect(client.call.stop(call.call_id)).rejects.toBeInstanceOf(Retell.BadRequestError);
      await expect(client.concurrency.retrieve()).resolves.toMatchObject({ current_concurrency: 0 });

      await client.call.delete(call.call_id);
      expect(harness.emulator.state.calls.size).toBe(0);
      await expect(client.call.retrieve(call.call_id)).rejects.toBeInstanceOf(Retell.UnprocessableEntityError);
    });
  });
});
