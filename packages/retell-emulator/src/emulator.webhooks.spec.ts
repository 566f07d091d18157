import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import Retell from 'retell-sdk';
import { RetellApiError } from './emulator.js';
import { expectSchemaConforms } from './openapi-conformance.js';
import { startEmulator, startWebhookReceiver, TEST_API_KEY, type EmulatorHarness, type WebhookReceiver } from './test-kit.js';

describe('RetellEmulator call timelines and webhooks', () => {
  let harness: EmulatorHarness;
  let client: Retell;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    harness = await startEmulator({ webhookTimeoutMs: 200 });
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

  async function setUp(agentFields: Partial<Retell.AgentCreateParams> = { webhook_url: receiver.url }) {
    const llm = await client.llm.create({ begin_message: 'Hi {{name}}!' });
    const agent = await client.agent.create({ response_engine: { type: 'retell-llm', llm_id: llm.llm_id }, voice_id: 'openai-Nova', ...agentFields });
    const number = await client.phoneNumber.create({
      inbound_agents: [{ agent_id: agent.agent_id, weight: 1 }],
      outbound_agents: [{ agent_id: agent.agent_id, weight: 1 }],
    });
    return { agent, from: number.phone_number };
  }

  async function callAndWait(toNumber = '+12137774445', agentFields?: Partial<Retell.AgentCreateParams>) {
    const { from } = await setUp(agentFields);
    const call = await client.call.createPhoneCall({ from_number: from, to_number: toNumber, retell_llm_dynamic_variables: { name: 'Sam' } });
    await harness.emulator.waitForIdle();
    return call;
  }

  const events = () => receiver.received.map((hook) => hook.body.event);

  /** A genuine Retell-scheme signature for `body`, made at `timestamp`, independently of the SDK's `sign`. */
  const signatureAt = (body: string, timestamp: number) =>
    `v=${timestamp},d=${createHmac('sha256', TEST_API_KEY).update(body + timestamp).digest('hex')}`;

  describe('a completed call', () => {
    it('posts call_started, call_ended and call_analyzed in order, signed so that Retell.verify accepts them', async () => {
      const call = await callAndWait();
      expect(events()).toEqual(['call_started', 'call_ended', 'call_analyzed']);
      for (const hook of receiver.received) {
        expect(hook.body.call.call_id).toBe(call.call_id);
        expect(hook.signature).toMatch(/^v=\d+,d=[0-9a-f]{64}$/);
        await expect(Retell.verify(hook.rawBody, TEST_API_KEY, hook.signature!)).resolves.toBe(true);
        // "The same content you would receive when you fetch the call details using get-call".
        expectSchemaConforms('V2CallResponse', hook.body.call);
      }
    });

    it('carries the call as it was at each event', async () => {
      await callAndWait();
      const [started, ended, analyzed] = receiver.received.map((hook) => hook.body.call);
      expect(started).toMatchObject({ call_status: 'ongoing', start_timestamp: expect.any(Number) });
      expect(started).not.toHaveProperty('end_timestamp');
      expect(ended).toMatchObject({
        call_status: 'ended',
        end_timestamp: expect.any(Number),
        duration_ms: expect.any(Number),
        disconnection_reason: 'agent_hangup',
        transcript: expect.stringContaining('Agent: Hi Sam!'),
        transcript_object: expect.any(Array),
        recording_url: expect.any(String),
        public_log_url: expect.any(String),
        call_cost: expect.objectContaining({ combined_cost: expect.any(Number) }),
      });
      expect(ended).not.toHaveProperty('call_analysis');
      expect(analyzed).toMatchObject({ call_analysis: { call_summary: expect.any(String), user_sentiment: 'Positive', call_successful: true, in_voicemail: false } });
    });

    it('signs with a timestamp that goes stale after 5 minutes, and over the exact body', async () => {
      await callAndWait();
      const { rawBody, signature } = receiver.received[0]!;
      const now = Date.now();
      await expect(Retell.verify(rawBody, TEST_API_KEY, signatureAt(rawBody, now))).resolves.toBe(true);
      await expect(Retell.verify(rawBody, TEST_API_KEY, signatureAt(rawBody, now - 5 * 60 * 1000 - 1000))).resolves.toBe(false);
      await expect(Retell.verify(rawBody.replace('call_started', 'call_analyzed'), TEST_API_KEY, signature!)).resolves.toBe(false);
      await expect(Retell.verify(JSON.stringify(JSON.parse(rawBody), null, 2), TEST_API_KEY, signature!)).resolves.toBe(false);
      await expect(Retell.verify(rawBody, 'key_someone_else', signature!)).resolves.toBe(false);
    });
  });

  describe('scenarios chosen by the destination number', () => {
    it.each([
      ['0001', 'not_connected', 'dial_no_answer', false],
      ['0002', 'not_connected', 'dial_busy', false],
      ['0003', 'ended', 'voicemail_reached', true],
      ['0004', 'error', 'error_unknown', true],
    ] as const)('…%s ends %s with %s', async (suffix, status, reason, connects) => {
      const call = await callAndWait(`+1213777${suffix}`);
      expect(events()).toEqual(connects ? ['call_started', 'call_ended', 'call_analyzed'] : ['call_ended', 'call_analyzed']);
      const final = await client.call.retrieve(call.call_id);
      expect(final).toMatchObject({ call_status: status, disconnection_reason: reason });
      expect(final.call_analysis?.in_voicemail).toBe(reason === 'voicemail_reached');
      if (!connects) expect(final).not.toHaveProperty('start_timestamp');
    });

    it('plays a scenario set through setScenario regardless of the digits', async () => {
      const { agent, from } = await setUp();
      harness.emulator.setScenario({ agent_id: agent.agent_id }, 'busy');
      const call = await client.call.createPhoneCall({ from_number: from, to_number: '+12137774445' });
      await harness.emulator.waitForIdle();
      await expect(client.call.retrieve(call.call_id)).resolves.toMatchObject({ disconnection_reason: 'dial_busy' });
    });
  });

  describe('delivery', () => {
    it('retries a failing event up to 3 times, then moves on to the next event', async () => {
      receiver.respondWith(500, 503, 502, 500);
      const call = await callAndWait();
      const attempts = harness.emulator.deliveries.map((d) => [d.event, d.attempt, d.status]);
      expect(attempts).toEqual([
        ['call_started', 1, 500],
        ['call_started', 2, 503],
        ['call_started', 3, 502],
        ['call_started', 4, 500],
        ['call_ended', 1, 204],
        ['call_analyzed', 1, 204],
      ]);
      expect(harness.emulator.deliveries.every((d) => d.call_id === call.call_id && d.url === receiver.url)).toBe(true);
    });

    it('succeeds on a retry after a non-2xx answer, including redirects (which are not followed)', async () => {
      receiver.respondWith(302, 500);
      await callAndWait();
      expect(harness.emulator.deliveries.filter((d) => d.event === 'call_started').map((d) => d.status)).toEqual([302, 500, 204]);
      expect(events()).toEqual(['call_started', 'call_started', 'call_started', 'call_ended', 'call_analyzed']);
    });

    it('gives up on an attempt after the timeout and retries', async () => {
      receiver.respondWith('hang');
      await callAndWait();
      const started = harness.emulator.deliveries.filter((d) => d.event === 'call_started');
      expect(started.map((d) => d.error ?? d.status)).toEqual(['no response within 200 ms', 204]);
    });

    it("uses the agent's webhook_timeout_ms over the default", async () => {
      receiver.respondWith('hang');
      await callAndWait('+12137774445', { webhook_url: receiver.url, webhook_timeout_ms: 50 });
      expect(harness.emulator.deliveries[0]).toMatchObject({ attempt: 1, error: 'no response within 50 ms' });
    });

    it('records connection failures as failed attempts', async () => {
      await callAndWait('+12137774445', { webhook_url: 'http://127.0.0.1:1/unreachable' });
      expect(harness.emulator.deliveries).toHaveLength(12);
      expect(harness.emulator.deliveries.every((d) => d.status === undefined && typeof d.error === 'string')).toBe(true);
    });

    it('only sends the events the agent subscribes to', async () => {
      await callAndWait('+12137774445', { webhook_url: receiver.url, webhook_events: ['call_ended'] });
      expect(events()).toEqual(['call_ended']);
    });

    it('uses the account-level URL for agents without webhook_url, and sends nothing without either', async () => {
      await callAndWait('+12137774445', {});
      expect(events()).toEqual([]);

      const withAccountUrl = await startEmulator({ accountWebhookUrl: receiver.url });
      try {
        const sdk = withAccountUrl.client();
        const agent = await sdk.agent.create({ response_engine: { type: 'custom-llm', llm_websocket_url: 'wss://llm.example' }, voice_id: 'retell-Cimo' });
        await sdk.call.createWebCall({ agent_id: agent.agent_id });
        await withAccountUrl.emulator.waitForIdle();
        expect(events()).toEqual(['call_started', 'call_ended', 'call_analyzed']);
        expect(receiver.received[0]!.body.call).toMatchObject({ call_type: 'web_call', agent_id: agent.agent_id });
        expect(withAccountUrl.violations).toEqual([]);
      } finally {
        await withAccountUrl.stop();
      }
    });
  });

  describe('switches', () => {
    it('duplicate: sends every event twice', async () => {
      harness.emulator.setWebhookBehaviour({ duplicate: true });
      await callAndWait();
      expect(events()).toEqual(['call_started', 'call_started', 'call_ended', 'call_ended', 'call_analyzed', 'call_analyzed']);
      expect(receiver.received[0]!.body).toEqual(receiver.received[1]!.body);
      expect(harness.emulator.deliveries.map((d) => d.duplicate)).toEqual([false, true, false, true, false, true]);
    });

    it('outOfOrder: sends call_started after call_ended', async () => {
      harness.emulator.setWebhookBehaviour({ outOfOrder: true });
      await callAndWait();
      expect(events()).toEqual(['call_ended', 'call_started', 'call_analyzed']);
    });

    it('reset() turns the switches off again', async () => {
      harness.emulator.setWebhookBehaviour({ duplicate: true, outOfOrder: true });
      harness.emulator.reset();
      await callAndWait();
      expect(events()).toEqual(['call_started', 'call_ended', 'call_analyzed']);
    });
  });

  describe('inbound calls', () => {
    it('rings a number bound to an agent and plays the same timeline with direction inbound', async () => {
      const { agent, from: ourNumber } = await setUp();
      const call = harness.emulator.ringInbound({ from_number: '+12125550123', to_number: ourNumber });
      expect(call).toMatchObject({ direction: 'inbound', from_number: '+12125550123', to_number: ourNumber, agent_id: agent.agent_id, call_status: 'registered' });
      await harness.emulator.waitForIdle();
      expect(events()).toEqual(['call_started', 'call_ended', 'call_analyzed']);
      await expect(client.call.retrieve(call.call_id)).resolves.toMatchObject({ direction: 'inbound', call_status: 'ended' });
    });

    it('plays a requested scenario', async () => {
      const { from: ourNumber } = await setUp();
      const call = harness.emulator.ringInbound({ from_number: '+12125550123', to_number: ourNumber, scenario: 'voicemail' });
      await harness.emulator.waitForIdle();
      await expect(client.call.retrieve(call.call_id)).resolves.toMatchObject({ disconnection_reason: 'voicemail_reached' });
    });

    it('refuses unknown numbers and numbers without an inbound agent with 422', async () => {
      const bare = await client.phoneNumber.create({});
      for (const to_number of ['+14150000000', bare.phone_number]) {
        const error = (() => {
          try {
            harness.emulator.ringInbound({ from_number: '+12125550123', to_number });
          } catch (e) {
            return e;
          }
        })();
        expect(error).toBeInstanceOf(RetellApiError);
        expect((error as RetellApiError).status).toBe(422);
      }
      expect(harness.emulator.state.calls.size).toBe(0);
    });
  });
});
