import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import Retell, { APIError } from 'retell-sdk';
import { expectResponseConforms, operationTemplate } from './openapi-conformance.js';
import { startEmulator, TEST_API_KEY, type EmulatorHarness } from './test-kit.js';

const ASSET_NOT_FOUND = { status: 'error', message: 'Cannot find requested asset under given api key.' };

describe('RetellEmulator errors, paths and pagination', () => {
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

  /** Sends a request the SDK would never send; the answer of any operation Retell has must still conform. */
  async function raw(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
    const response = await fetch(`${harness.baseURL}${path}`, {
      method,
      headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json', ...headers },
      body,
    });
    const text = await response.text();
    const parsed = text === '' ? undefined : (JSON.parse(text) as unknown);
    const { pathname } = new URL(response.url);
    if (operationTemplate(method, pathname)) expectResponseConforms(method, pathname, response.status, parsed);
    return { status: response.status, body: parsed };
  }

  async function agentWithNumber() {
    const llm = await client.llm.create({});
    const agent = await client.agent.create({ response_engine: { type: 'retell-llm', llm_id: llm.llm_id }, voice_id: 'retell-Cimo' });
    const number = await client.phoneNumber.create({ outbound_agents: [{ agent_id: agent.agent_id, weight: 1 }] });
    return { llm, agent, number };
  }

  describe('authentication', () => {
    it.each([
      ['no key', {}],
      ['a wrong key', { authorization: 'Bearer key_wrong' }],
      ['another scheme', { authorization: `Basic ${TEST_API_KEY}` }],
    ])('answers 401 with %s', async (_label, headers) => {
      const response = await fetch(`${harness.baseURL}/list-voices`, { headers });
      const body = await response.json();
      expect(response.status).toBe(401);
      expect(body).toEqual({ status: 'error', message: 'API key is missing or invalid.' });
      expectResponseConforms('GET', '/list-voices', 401, body);
    });

    it('surfaces as AuthenticationError in the SDK', async () => {
      await expect(harness.client({ apiKey: 'key_wrong' }).agent.list()).rejects.toBeInstanceOf(Retell.AuthenticationError);
    });
  });

  describe('unknown ids answer 422 (UnprocessableEntityError)', () => {
    const unknown = 'unknownUnknownUnknownUnknown1234';
    const cases: Array<[string, () => Promise<unknown>]> = [
      ['agent.retrieve', () => client.agent.retrieve(unknown)],
      ['agent.update', () => client.agent.update(unknown, { agent_name: 'x' })],
      ['agent.delete', () => client.agent.delete(unknown)],
      ['agent.listVersions', () => client.agent.listVersions(unknown)],
      ['agent.publish', () => client.agent.publish(unknown, { version: 0 })],
      ['agent.createVersion', () => client.agent.createVersion(unknown, { base_version: 0 })],
      ['llm.retrieve', () => client.llm.retrieve('llm_00000000000000000000000000')],
      ['llm.update', () => client.llm.update('llm_00000000000000000000000000', { general_prompt: 'x' })],
      ['llm.delete', () => client.llm.delete('llm_00000000000000000000000000')],
      ['phoneNumber.retrieve', () => client.phoneNumber.retrieve('+14150000000')],
      ['phoneNumber.update', () => client.phoneNumber.update('+14150000000', { nickname: 'x' })],
      ['phoneNumber.delete', () => client.phoneNumber.delete('+14150000000')],
      ['call.retrieve', () => client.call.retrieve(unknown)],
      ['call.update', () => client.call.update(unknown, { metadata: {} })],
      ['call.delete', () => client.call.delete(unknown)],
      ['call.stop', () => client.call.stop(unknown)],
      ['call.createWebCall', () => client.call.createWebCall({ agent_id: unknown })],
      ['voice.retrieve', () => client.voice.retrieve('11labs-Nobody')],
    ];

    it.each(cases)('%s', async (_name, request) => {
      const error = await request().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Retell.UnprocessableEntityError);
      expect((error as APIError).error).toEqual(ASSET_NOT_FOUND);
    });

    it('answers 422 for an unknown from_number, LLM in response_engine, or agent in a weight list', async () => {
      const { agent } = await agentWithNumber();
      await expect(client.call.createPhoneCall({ from_number: '+14150000000', to_number: '+12137774445' })).rejects.toBeInstanceOf(Retell.UnprocessableEntityError);
      await expect(
        client.agent.create({ response_engine: { type: 'retell-llm', llm_id: 'llm_00000000000000000000000000' }, voice_id: 'retell-Cimo' }),
      ).rejects.toBeInstanceOf(Retell.UnprocessableEntityError);
      await expect(
        client.phoneNumber.create({ inbound_agents: [{ agent_id: agent.agent_id, weight: 0.5 }, { agent_id: 'nobody', weight: 0.5 }] }),
      ).rejects.toBeInstanceOf(Retell.UnprocessableEntityError);
    });
  });

  describe('malformed bodies answer 400 (BadRequestError)', () => {
    const tool = (name: string) => ({ type: 'end_call' as const, name });

    it.each<[string, () => Promise<unknown>]>([
      ['a tool name with a space', () => client.llm.create({ general_tools: [tool('end call')] })],
      ['a tool name over 64 characters', () => client.llm.create({ general_tools: [tool('x'.repeat(65))] })],
      ['duplicated tool names', () => client.llm.create({ general_tools: [tool('bye'), tool('bye')] })],
      ['a custom tool without url', () => client.llm.create({ general_tools: [{ type: 'custom', name: 'lookup' } as never] })],
      ['both model and s2s_model', () => client.llm.create({ model: 'gpt-4.1', s2s_model: 'gpt-realtime' })],
      ['model_temperature above 1', () => client.llm.create({ model_temperature: 1.5 })],
      ['a misspelt model', () => client.llm.create({ model: 'gpt4o' as never })],
      ['an agent without voice_id', () => client.agent.create({ response_engine: { type: 'custom-llm', llm_websocket_url: 'wss://x.example' } } as never)],
      ['an unknown voice_id', () => client.agent.create({ response_engine: { type: 'custom-llm', llm_websocket_url: 'wss://x.example' }, voice_id: '11labs-Nobody' })],
      ['voice_speed out of range', () => client.agent.create({ response_engine: { type: 'custom-llm', llm_websocket_url: 'wss://x.example' }, voice_id: 'retell-Cimo', voice_speed: 3 })],
      ['an unknown webhook event', () => client.agent.create({ response_engine: { type: 'custom-llm', llm_websocket_url: 'wss://x.example' }, voice_id: 'retell-Cimo', webhook_events: ['call_exploded' as never] })],
      ['weights not adding up to 1', () => client.phoneNumber.create({ inbound_agents: [{ agent_id: 'a', weight: 0.5 }, { agent_id: 'b', weight: 0.4 }] })],
      ['a zero weight', () => client.phoneNumber.create({ inbound_agents: [{ agent_id: 'a', weight: 0 }] })],
      ['a 4-digit area code', () => client.phoneNumber.create({ area_code: 4155 })],
      ['an import without termination_uri', () => client.phoneNumber.import({ phone_number: '+14155550100' } as never)],
      ['list limit above 1000', () => client.llm.list({ limit: 1001 })],
      ['list-calls with both skip and pagination_key', () => client.call.list({ skip: 1, pagination_key: 'x' })],
      ['an unsupported call filter', () => client.call.list({ filter_criteria: { tool_calls: [] } as never })],
      ['a malformed call filter', () => client.call.list({ filter_criteria: { call_status: { type: 'enum', op: 'eq', value: 'ended' } } as never })],
    ])('%s', async (_name, request) => {
      await expect(request()).rejects.toBeInstanceOf(Retell.BadRequestError);
    });

    it('accepts weights whose float sum is only approximately 1', async () => {
      const { agent } = await agentWithNumber();
      const weights = [0.1, 0.2, 0.7].map((weight) => ({ agent_id: agent.agent_id, weight }));
      await expect(client.phoneNumber.create({ inbound_agents: weights })).resolves.toMatchObject({ inbound_agents: weights });
    });

    it('refuses dynamic variables that are not strings, a non-E.164 to_number and a number without outbound agent', async () => {
      const { number } = await agentWithNumber();
      const from_number = number.phone_number;
      const call = (body: Partial<Retell.CallCreatePhoneCallParams>) => client.call.createPhoneCall({ from_number, to_number: '+12137774445', ...body });
      await expect(call({ retell_llm_dynamic_variables: { age: 42 as never } })).rejects.toBeInstanceOf(Retell.BadRequestError);
      await expect(call({ to_number: '2137774445' })).rejects.toBeInstanceOf(Retell.BadRequestError);
      const bare = await client.phoneNumber.create({});
      await expect(call({ from_number: bare.phone_number })).rejects.toBeInstanceOf(Retell.BadRequestError);
      expect(harness.emulator.state.calls.size).toBe(0);
    });

    it('refuses a second number with the same digits', async () => {
      await client.phoneNumber.create({ phone_number: '+14155550123' });
      await expect(client.phoneNumber.create({ phone_number: '+14155550123' })).rejects.toBeInstanceOf(Retell.BadRequestError);
      await expect(client.phoneNumber.import({ phone_number: '+14155550123', termination_uri: 'x.pstn.twilio.com' })).rejects.toBeInstanceOf(Retell.BadRequestError);
    });

    it.each([
      ['invalid JSON', '{"agent_name":'],
      ['a JSON array', '[]'],
      ['a JSON string', '"hello"'],
    ])('answers 400 with Retell\'s error body for %s', async (_name, body) => {
      const response = await raw('POST', '/create-retell-llm', body);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ status: 'error', message: expect.any(String) });
    });

    it('refuses bodies over 1 MB with 413', async () => {
      const response = await raw('POST', '/create-retell-llm', JSON.stringify({ general_prompt: 'x'.repeat(1_100_000) }));
      expect(response).toEqual({ status: 413, body: { status: 'error', message: expect.stringContaining('exceeds') } });
      expect(harness.emulator.state.llms.size).toBe(0);
    });

    it('answers 404 for paths Retell does not have, including legacy ones', async () => {
      for (const [method, path] of [['GET', '/list-agents'], ['POST', '/v2/list-calls'], ['POST', '/publish-agent/abc'], ['GET', '/create-agent']]) {
        const response = await raw(method!, path!);
        expect(response).toEqual({ status: 404, body: { status: 'error', message: 'The requested resource was not found.' } });
      }
    });

    it('never answers 500, whatever the body', async () => {
      const { agent, number } = await agentWithNumber();
      const call = await client.call.createPhoneCall({ from_number: number.phone_number, to_number: '+12137774445' });
      const routes: Array<[string, string]> = [
        ['POST', '/create-agent'],
        ['PATCH', `/update-agent/${agent.agent_id}`],
        ['POST', '/v2/list-agents'],
        ['POST', `/publish-agent-version/${agent.agent_id}`],
        ['POST', `/create-agent-version/${agent.agent_id}`],
        ['POST', '/create-retell-llm'],
        ['POST', '/create-phone-number'],
        ['POST', '/import-phone-number'],
        ['PATCH', `/update-phone-number/${number.phone_number}`],
        ['POST', '/v2/create-phone-call'],
        ['POST', '/v3/create-web-call'],
        ['POST', '/v3/list-calls'],
        ['PATCH', `/v2/update-call/${call.call_id}`],
      ];
      const garbage: unknown[] = [null, 0, -1, 'x', true, [], {}, [{}], { type: 'x' }, '{{oops}}'];
      const fields = ['response_engine', 'voice_id', 'agent_name', 'general_tools', 'states', 'filter_criteria', 'inbound_agents', 'from_number', 'to_number', 'agent_id', 'metadata', 'retell_llm_dynamic_variables', 'version', 'base_version', 'limit', 'language', 'webhook_url', 'phone_number', 'termination_uri', 'area_code'];
      const failures: string[] = [];
      for (const [method, path] of routes) {
        for (const field of fields) {
          for (const value of garbage) {
            const body = JSON.stringify({ [field]: value });
            const { status } = await raw(method, path, body);
            if (status >= 500) failures.push(`${method} ${path} ${body} → ${status}`);
          }
        }
      }
      expect(failures).toEqual([]);
    });
  });

  describe('phone numbers in paths', () => {
    it('keeps + as + (as the SDK sends it) and decodes %2B', async () => {
      const number = await client.phoneNumber.create({ phone_number: '+14155550199' });
      await expect(client.phoneNumber.retrieve('+14155550199')).resolves.toEqual(number);
      const encoded = await raw('GET', '/get-phone-number/%2B14155550199');
      expect(encoded).toEqual({ status: 200, body: number });
      // A `+` turned into a space by form-style decoding is not the same number.
      expect((await raw('GET', '/get-phone-number/%2014155550199')).status).toBe(422);
    });
  });

  describe('cursor pagination', () => {
    it('pages with limit, has_more, pagination_key and sort_order', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await client.llm.create({ general_prompt: `#${i}` })).llm_id);

      const pages: string[][] = [];
      let key: string | undefined;
      do {
        const page = await client.llm.list({ limit: 2, ...(key && { pagination_key: key }) });
        pages.push(page.items.map((llm) => llm.llm_id));
        expect(page.has_more).toBe(page.pagination_key !== undefined);
        key = page.pagination_key;
      } while (key);
      expect(pages).toEqual([[ids[4], ids[3]], [ids[2], ids[1]], [ids[0]]]);

      const ascending = await client.llm.list({ limit: 3, sort_order: 'ascending' });
      expect(ascending).toMatchObject({ has_more: true, pagination_key: ids[2] });
      expect(ascending.items.map((llm) => llm.llm_id)).toEqual(ids.slice(0, 3));
    });

    it('continues after the item named by pagination_key even once it is deleted', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) ids.push((await client.phoneNumber.create({})).phone_number);
      const first = await client.phoneNumber.list({ limit: 2, sort_order: 'ascending' });
      for (const item of first.items) await client.phoneNumber.delete(item.phone_number);
      const second = await client.phoneNumber.list({ limit: 2, sort_order: 'ascending', pagination_key: first.pagination_key! });
      expect(second.items.map((n) => n.phone_number)).toEqual(ids.slice(2));
      expect(second.has_more).toBe(false);
    });

    it('defaults to 50 items per page', async () => {
      for (let i = 0; i < 51; i++) await client.llm.create({});
      const page = await client.llm.list();
      expect(page.items).toHaveLength(50);
      expect(page.has_more).toBe(true);
    });

    it('pages agent lists and versions', async () => {
      const { agent } = await agentWithNumber();
      await client.agent.createVersion(agent.agent_id, { base_version: 0 });
      await client.agent.createVersion(agent.agent_id, { base_version: 0 });
      const versions = await client.agent.listVersions(agent.agent_id, { limit: 2 });
      expect(versions.items.map((v) => v.version)).toEqual([2, 1]);
      const rest = await client.agent.listVersions(agent.agent_id, { limit: 2, pagination_key: versions.pagination_key! });
      expect(rest).toMatchObject({ has_more: false, items: [{ version: 0 }] });

      const agents = await client.agent.list({ limit: 1 });
      expect(agents).toMatchObject({ has_more: false, items: [{ agent_id: agent.agent_id }] });
    });
  });
  describe('outbound agent settings', () => {
    const engine = async () => ({ type: 'retell-llm' as const, llm_id: (await client.llm.create({})).llm_id });

    it('stores voicemail_option, language, max_call_duration_ms and end_call_after_silence_ms as sent', async () => {
      const agent = await client.agent.create({
        response_engine: await engine(),
        voice_id: 'retell-Cimo',
        language: 'es-ES',
        max_call_duration_ms: 600_000,
        end_call_after_silence_ms: 20_000,
        voicemail_option: { action: { type: 'static_text', text: 'Please call us back.' } },
      });
      expect(agent).toMatchObject({ language: 'es-ES', max_call_duration_ms: 600_000, end_call_after_silence_ms: 20_000, voicemail_option: { action: { type: 'static_text', text: 'Please call us back.' } } });
      const updated = await client.agent.update(agent.agent_id, { voicemail_option: { action: { type: 'hangup' } }, language: 'en-GB' });
      expect(updated).toMatchObject({ language: 'en-GB', voicemail_option: { action: { type: 'hangup' } } });
      await expect(client.agent.update(agent.agent_id, { voicemail_option: null })).resolves.toMatchObject({ voicemail_option: null });
    });

    it('refuses values outside Retell\'s ranges and shapes with 400', async () => {
      const llm = await engine();
      const bad: Array<Record<string, unknown>> = [
        { language: 'xx-XX' },
        { language: ['en-US', 'multi'] },
        { max_call_duration_ms: 59_999 },
        { max_call_duration_ms: 7_200_001 },
        { end_call_after_silence_ms: 9_999 },
        { voicemail_option: { action: { type: 'static_text' } } },
        { voicemail_option: { action: { type: 'sing' } } },
        { voicemail_option: {} },
        { voicemail_option: 'hangup' },
      ];
      for (const fields of bad) {
        const response = await raw('POST', '/create-agent', JSON.stringify({ response_engine: llm, voice_id: 'retell-Cimo', ...fields }));
        expect({ fields, status: response.status }).toEqual({ fields, status: 400 });
      }
      expect(harness.emulator.state.agents.size).toBe(0);
    });
  });
});
