import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  conformanceFetch,
  expectResponseConforms,
  expectSchemaConforms,
  operationTemplate,
  responseViolations,
} from './openapi-conformance.js';
import { startEmulator, TEST_API_KEY, type EmulatorHarness } from './test-kit.js';

/** The OpenAPI checker itself: it must accept what Retell documents and reject what it does not. */
describe('openapi-conformance', () => {
  const agent = {
    agent_id: 'oBeDLoLOeuAbiuaMFXRtDOLriTJ5tSxD',
    version: 0,
    response_engine: { type: 'retell-llm', llm_id: 'llm_234sdertfsdsfsdf' },
    voice_id: '11labs-Adrian',
    last_modification_timestamp: 1703413636133,
  };

  it('resolves concrete paths to their templates, literal paths first', () => {
    expect(operationTemplate('GET', '/get-agent/abc')).toBe('/get-agent/{agent_id}');
    expect(operationTemplate('GET', '/get-phone-number/+14157774444')).toBe('/get-phone-number/{phone_number}');
    expect(operationTemplate('POST', '/v2/list-agents')).toBe('/v2/list-agents');
    expect(operationTemplate('GET', '/list-agents')).toBeUndefined();
  });

  it('accepts a documented body, with OpenAPI nullable fields set to null', () => {
    expect(() => expectResponseConforms('GET', '/get-agent/{agent_id}', 200, { ...agent, agent_name: null, webhook_url: null })).not.toThrow();
    expect(() => expectResponseConforms('DELETE', '/delete-agent/x', 204, undefined)).not.toThrow();
  });

  it.each<[string, string, string, number, unknown, RegExp]>([
    ['a wrong type', 'GET', '/get-agent/x', 200, { ...agent, version: '0' }, /\/version must be integer/],
    ['a missing required field', 'GET', '/get-agent/x', 200, { ...agent, voice_id: undefined }, /must have required property 'voice_id'/],
    ['a value outside an enum', 'GET', '/v2/get-call/x', 200, { call_id: 'c', agent_id: 'a', agent_version: 0, call_status: 'done', call_type: 'web_call', access_token: 't' }, /must be equal to one of the allowed values/],
    ['null where the field is not nullable', 'GET', '/get-agent/x', 200, { ...agent, voice_speed: null }, /\/voice_speed must be number/],
    ['a weight of 0 (exclusiveMinimum)', 'GET', '/get-phone-number/x', 200, { phone_number: '+1', phone_number_type: 'custom', last_modification_timestamp: 1, inbound_agents: [{ agent_id: 'a', weight: 0 }] }, /must be > 0/],
    ['an undocumented success status', 'POST', '/create-agent', 200, agent, /status 200 is not documented/],
    ['a body where none is documented', 'DELETE', '/delete-agent/x', 204, {}, /documented without a body/],
    ['an error without Retell\'s envelope', 'GET', '/get-agent/x', 422, { error: 'not found' }, /error bodies must be/],
    ['an operation Retell does not have', 'GET', '/list-agents', 200, [], /no such operation/],
  ])('rejects %s', (_name, method, path, status, body, message) => {
    expect(() => expectResponseConforms(method, path, status, body)).toThrow(message);
  });

  it('checks named component schemas', () => {
    expect(() => expectSchemaConforms('VoiceResponse', { voice_id: 'v', voice_name: 'V', provider: 'openai', gender: 'female' })).not.toThrow();
    expect(() => expectSchemaConforms('VoiceResponse', { voice_id: 'v', voice_name: 'V', provider: 'openai', gender: 'other' })).toThrow(/gender/);
  });

  it('reports violations from a fetch wrapper instead of throwing', async () => {
    const violations: string[] = [];
    const fakeFetch = (async () => new Response(JSON.stringify({ llm_id: 42 }), { status: 200 })) as typeof fetch;
    const response = await conformanceFetch((v) => violations.push(v), fakeFetch)('http://retell.invalid/get-retell-llm/x', { method: 'GET' });
    expect(await response.json()).toEqual({ llm_id: 42 });
    expect(violations).toEqual(expect.arrayContaining([expect.stringMatching(/\/llm_id must be string/), expect.stringMatching(/last_modification_timestamp/)]));
  });

  describe('against the emulator', () => {
    let harness: EmulatorHarness;

    beforeAll(async () => {
      harness = await startEmulator();
    });

    afterAll(() => harness.stop());

    it('finds no violation in raw responses of each resource', async () => {
      const call = async (method: string, path: string, body?: unknown) => {
        const response = await fetch(`${harness.baseURL}${path}`, {
          method,
          headers: { authorization: `Bearer ${TEST_API_KEY}` },
          ...(body !== undefined && { body: JSON.stringify(body) }),
        });
        const text = await response.text();
        const parsed = text === '' ? undefined : JSON.parse(text);
        expect(responseViolations(method, path.split('?')[0]!, response.status, parsed)).toEqual([]);
        return parsed;
      };
      const llm = await call('POST', '/create-retell-llm', { general_tools: [{ type: 'end_call', name: 'bye' }], s2s_model: 'gpt-realtime' });
      const created = await call('POST', '/create-agent', { response_engine: { type: 'retell-llm', llm_id: llm.llm_id }, voice_id: 'cartesia-Cimo', agent_name: null });
      await call('GET', `/get-agent/${created.agent_id}?version=latest`);
      await call('POST', `/v2/list-agents?limit=1`, {});
      await call('GET', `/list-agent-versions/${created.agent_id}`);
      const number = await call('POST', '/create-phone-number', { toll_free: true, outbound_agents: [{ agent_id: created.agent_id, weight: 1 }] });
      const phoneCall = await call('POST', '/v2/create-phone-call', { from_number: number.phone_number, to_number: '+12137774445', metadata: { a: 1 } });
      await harness.emulator.waitForIdle();
      await call('GET', `/v2/get-call/${phoneCall.call_id}`);
      await call('POST', '/v3/list-calls', { limit: 1 });
      await call('GET', '/get-concurrency');
      await call('GET', '/get-voice/cartesia-Cimo');
      await call('GET', `/get-retell-llm/nope`);
      await call('POST', '/v2/create-phone-call', { from_number: number.phone_number });
    });
  });
});
