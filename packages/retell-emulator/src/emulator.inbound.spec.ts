import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import Retell from 'retell-sdk';
import { startEmulator, startWebhookReceiver, TEST_API_KEY, type EmulatorHarness, type WebhookReceiver } from './test-kit.js';

describe('RetellEmulator inbound webhook (call_inbound) and post-call analysis data', () => {
  let harness: EmulatorHarness;
  let client: Retell;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    harness = await startEmulator({ inboundWebhookTimeoutMs: 200 });
    client = harness.client();
  });
  afterEach(() => {
    harness.emulator.reset();
    receiver.received.length = 0;
    expect(harness.violations.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    await harness.stop();
    await receiver.close();
  });

  async function agent(fields: Partial<Retell.AgentCreateParams> = {}) {
    const llm = await client.llm.create({ begin_message: 'Hi {{contact_name}}!' });
    return client.agent.create({ response_engine: { type: 'retell-llm', llm_id: llm.llm_id }, voice_id: 'openai-Nova', ...fields });
  }
  /** A number asking the receiver about each call, bound inbound to `inbound` (or to no agent). */
  async function routedNumber(inbound?: string) {
    return client.phoneNumber.create({
      inbound_webhook_url: receiver.url,
      ...(inbound && { inbound_agents: [{ agent_id: inbound, weight: 1 }] }),
    });
  }
  const inboundHooks = () => receiver.received.filter((hook) => hook.body.event === 'call_inbound');

  it('posts call_inbound signed as Retell signs, and honours the override agent, dynamic variables and metadata', async () => {
    const [bound, other] = [await agent(), await agent()];
    const number = await routedNumber(bound.agent_id);
    receiver.answerWith({ call_inbound: { override_agent_id: other.agent_id, dynamic_variables: { contact_name: 'Ada' }, metadata: { crm: 'C-1' } } });
    const outcome = await harness.emulator.callInbound({ from_number: '+12125550123', to_number: number.phone_number });
    expect(outcome).toMatchObject({ outcome: 'connected', call: { agent_id: other.agent_id, direction: 'inbound', retell_llm_dynamic_variables: { contact_name: 'Ada' }, metadata: { crm: 'C-1' } } });
    const [hook] = inboundHooks();
    expect(hook!.body).toEqual({
      event: 'call_inbound',
      call_inbound: { agent_id: bound.agent_id, from_number: '+12125550123', to_number: number.phone_number, call_id: (outcome as { call: { call_id: string } }).call.call_id },
    });
    await expect(Retell.verify(hook!.rawBody, TEST_API_KEY, hook!.signature!)).resolves.toBe(true);
    await harness.emulator.waitForIdle();
    await expect(client.call.retrieve(hook!.body.call_inbound!.call_id as string)).resolves.toMatchObject({ call_status: 'ended', agent_id: other.agent_id });
  });

  it('refuses the call when the answer names no agent and the number has no inbound agent; no call is created', async () => {
    const number = await routedNumber();
    receiver.answerWith({ call_inbound: {} });
    await expect(harness.emulator.callInbound({ from_number: '+12125550123', to_number: number.phone_number })).resolves.toMatchObject({ outcome: 'refused', reason: 'rejected' });
    expect(harness.emulator.state.calls.size).toBe(0);
  });

  it('without an override, the number’s inbound agent answers', async () => {
    const bound = await agent();
    const number = await routedNumber(bound.agent_id);
    receiver.answerWith({ call_inbound: { dynamic_variables: { contact_name: 'Bo' } } });
    await expect(harness.emulator.callInbound({ from_number: '+12125550123', to_number: number.phone_number })).resolves.toMatchObject({
      outcome: 'connected',
      call: { agent_id: bound.agent_id, retell_llm_dynamic_variables: { contact_name: 'Bo' } },
    });
  });

  it('retries up to 3 times, then falls back to the inbound agent, or hangs up without one', async () => {
    const bound = await agent();
    const withAgent = await routedNumber(bound.agent_id);
    receiver.respondWith(500, 'hang', 503, 500);
    await expect(harness.emulator.callInbound({ from_number: '+12125550123', to_number: withAgent.phone_number })).resolves.toMatchObject({ outcome: 'connected', call: { agent_id: bound.agent_id } });
    const attempts = harness.emulator.deliveries.filter((d) => d.event === 'call_inbound');
    expect(attempts.map((d) => d.attempt)).toEqual([1, 2, 3, 4]);
    expect(new Set(inboundHooks().map((hook) => hook.body.call_inbound!.call_id)).size).toBe(1);

    receiver.received.length = 0;
    const bare = await routedNumber();
    receiver.respondWith(500, 500, 500, 500);
    await expect(harness.emulator.callInbound({ from_number: '+12125550123', to_number: bare.phone_number })).resolves.toMatchObject({ outcome: 'refused', reason: 'inbound_webhook_failed' });
  });

  it('stops retrying at the first 2xx', async () => {
    const bound = await agent();
    const number = await routedNumber(bound.agent_id);
    receiver.respondWith(500);
    receiver.answerWith({ call_inbound: { override_agent_id: bound.agent_id } });
    await harness.emulator.callInbound({ from_number: '+12125550123', to_number: number.phone_number });
    expect(inboundHooks()).toHaveLength(2);
  });

  it('answers over the control API: 201 with the call, 200 with refused', async () => {
    const number = await routedNumber();
    const control = (body: object) =>
      fetch(`${harness.baseURL}/__emulator/inbound-calls`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    receiver.answerWith({ call_inbound: {} });
    const refused = await control({ from_number: '+12125550123', to_number: number.phone_number });
    expect(refused.status).toBe(200);
    expect(await refused.json()).toMatchObject({ refused: true, reason: 'rejected' });
    const bound = await agent();
    receiver.answerWith({ call_inbound: { override_agent_id: bound.agent_id } });
    const connected = await control({ from_number: '+12125550123', to_number: number.phone_number });
    expect(connected.status).toBe(201);
    expect(await connected.json()).toMatchObject({ agent_id: bound.agent_id, direction: 'inbound' });
  });

  it('fills custom_analysis_data with a value of each field’s type for connected calls only', async () => {
    const analysed = await agent({
      post_call_analysis_data: [
        { type: 'string', name: 'allergies', description: 'Allergies' },
        { type: 'enum', name: 'visit_reason', description: 'Why', choices: ['dinner', 'lunch'] },
        { type: 'boolean', name: 'wants_newsletter', description: 'Newsletter' },
        { type: 'number', name: 'party_size', description: 'Guests' },
      ],
    });
    const number = await client.phoneNumber.create({ inbound_agents: [{ agent_id: analysed.agent_id, weight: 1 }], outbound_agents: [{ agent_id: analysed.agent_id, weight: 1 }] });
    const connected = harness.emulator.ringInbound({ from_number: '+12125550123', to_number: number.phone_number });
    const missed = harness.emulator.ringInbound({ from_number: '+12125550124', to_number: number.phone_number, scenario: 'no_answer' });
    await harness.emulator.waitForIdle();
    const data = (await client.call.retrieve(connected.call_id)).call_analysis?.custom_analysis_data as Record<string, unknown>;
    expect(typeof data.allergies).toBe('string');
    expect(['dinner', 'lunch']).toContain(data.visit_reason);
    expect(typeof data.wants_newsletter).toBe('boolean');
    expect(typeof data.party_size).toBe('number');
    expect((await client.call.retrieve(missed.call_id)).call_analysis?.custom_analysis_data).toBeUndefined();
  });
});
