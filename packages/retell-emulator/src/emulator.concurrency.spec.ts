import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import Retell from 'retell-sdk';
import { CONCURRENCY_LIMIT_MESSAGE } from './emulator.js';
import { startEmulator, type EmulatorHarness } from './test-kit.js';

/** The workspace concurrency limit, the peak it records, `idempotency_key` on create-phone-call, and call duration. */
describe('RetellEmulator concurrency, idempotency and call duration', () => {
  let harness: EmulatorHarness;
  let client: Retell;

  beforeAll(async () => {
    harness = await startEmulator({ concurrencyLimit: 3 });
    client = harness.client();
  });

  afterEach(() => {
    jest.restoreAllMocks();
    harness.emulator.reset();
    harness.emulator.setConcurrencyLimit(3);
    expect(harness.violations.splice(0)).toEqual([]);
  });

  afterAll(() => harness.stop());

  async function control(method: string, path: string, body?: unknown) {
    const response = await fetch(`${harness.baseURL}/__emulator${path}`, { method, ...(body !== undefined && { body: JSON.stringify(body) }) });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
  }

  async function numberWithAgent() {
    const agent = await client.agent.create({ response_engine: { type: 'custom-llm', llm_websocket_url: 'wss://llm.example' }, voice_id: 'minimax-Max' });
    const number = await client.phoneNumber.create({ outbound_agents: [{ agent_id: agent.agent_id, weight: 1 }] });
    return { agent, from: number.phone_number };
  }

  /** …0005 stays on the line until stopped: a call that holds a concurrency slot. */
  const longCall = (from: string, n: number) => client.call.createPhoneCall({ from_number: from, to_number: `+1213${String(n).padStart(3, '0')}0005` });

  it('answers 429 beyond the limit for phone and web calls, dials nothing, and admits again once a call ends', async () => {
    const { agent, from } = await numberWithAgent();
    const live = [await longCall(from, 1), await longCall(from, 2), await longCall(from, 3)];
    await expect(client.concurrency.retrieve()).resolves.toMatchObject({ concurrency_limit: 3, current_concurrency: 3 });

    const refused = await longCall(from, 4).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Retell.RateLimitError);
    expect((refused as InstanceType<typeof Retell.RateLimitError>).error).toEqual({ status: 'error', message: CONCURRENCY_LIMIT_MESSAGE });
    await expect(client.call.createWebCall({ agent_id: agent.agent_id })).rejects.toBeInstanceOf(Retell.RateLimitError);
    expect(harness.emulator.state.calls.size).toBe(3);

    await client.call.stop(live[0]!.call_id);
    await expect(client.concurrency.retrieve()).resolves.toMatchObject({ current_concurrency: 2 });
    await expect(longCall(from, 5)).resolves.toMatchObject({ call_status: 'registered' });
    expect(harness.emulator.concurrency).toEqual({ concurrency_limit: 3, current_concurrency: 3, peak_concurrency: 3 });
  });

  it('admits exactly the limit out of simultaneous creates and records the peak', async () => {
    const { from } = await numberWithAgent();
    harness.emulator.setConcurrencyLimit(5);
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => longCall(from, i)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof Retell.RateLimitError)).toHaveLength(15);
    expect(harness.emulator.state.calls.size).toBe(5);
    expect((await control('GET', '/concurrency')).body).toEqual({ concurrency_limit: 5, current_concurrency: 5, peak_concurrency: 5 });
  });

  it('frees a slot when a call ends by itself, and the peak stays until reset', async () => {
    const { from } = await numberWithAgent();
    await Promise.all([1, 2, 3].map((n) => client.call.createPhoneCall({ from_number: from, to_number: `+1213555000${n}` })));
    await harness.emulator.waitForIdle();
    expect(harness.emulator.concurrency).toEqual({ concurrency_limit: 3, current_concurrency: 0, peak_concurrency: 3 });
    expect((await control('POST', '/concurrency', { reset_peak: true })).body).toEqual({ concurrency_limit: 3, current_concurrency: 0, peak_concurrency: 0 });
  });

  it('sets the limit through the control API and refuses bad settings with 400', async () => {
    expect(await control('POST', '/concurrency', { concurrency_limit: 1 })).toMatchObject({ status: 200, body: { concurrency_limit: 1 } });
    await expect(client.concurrency.retrieve()).resolves.toMatchObject({ concurrency_limit: 1 });
    const { from } = await numberWithAgent();
    await longCall(from, 1);
    await expect(longCall(from, 2)).rejects.toBeInstanceOf(Retell.RateLimitError);
    for (const body of [{ concurrency_limit: -1 }, { concurrency_limit: 1.5 }, { concurrency_limit: '3' }, { reset_peak: 'yes' }]) {
      expect(await control('POST', '/concurrency', body)).toMatchObject({ status: 400, body: { status: 'error' } });
    }
    for (const body of [{}, { call_duration_ms: -5 }, { call_duration_ms: 'slow' }]) {
      expect(await control('POST', '/timing', body)).toMatchObject({ status: 400 });
    }
    expect(harness.emulator.concurrency.concurrency_limit).toBe(1);
  });

  describe('idempotency_key', () => {
    // SDK 5.66.1 does not type idempotency_key; Retell's OpenAPI document (2026-10-04) accepts it.
    const keyed = (from: string, key: string, to = '+12135550000') => ({ from_number: from, to_number: to, idempotency_key: key }) as Retell.CallCreatePhoneCallParams;

    it('gives simultaneous creates with one key one call', async () => {
      const { from } = await numberWithAgent();
      const calls = await Promise.all(Array.from({ length: 6 }, () => client.call.createPhoneCall(keyed(from, 'attempt-42-1'))));
      expect(new Set(calls.map((c) => c.call_id)).size).toBe(1);
      expect(harness.emulator.state.calls.size).toBe(1);
    });

    it('replays the call even at the concurrency limit (nothing is dialled), and a refused create leaves the key unused', async () => {
      const { from } = await numberWithAgent();
      const first = await client.call.createPhoneCall(keyed(from, 'attempt-1', '+12135550005'));
      await longCall(from, 2);
      await longCall(from, 3);
      await expect(client.call.createPhoneCall(keyed(from, 'attempt-1', '+12135550005'))).resolves.toMatchObject({ call_id: first.call_id });
      await expect(client.call.createPhoneCall(keyed(from, 'attempt-2'))).rejects.toBeInstanceOf(Retell.RateLimitError);
      await client.call.stop(first.call_id);
      const second = await client.call.createPhoneCall(keyed(from, 'attempt-2'));
      expect(second.call_id).not.toBe(first.call_id);
      expect(harness.emulator.state.calls.size).toBe(4);
    });

    it('holds a key for one hour, then places a new call', async () => {
      const { from } = await numberWithAgent();
      const first = await client.call.createPhoneCall(keyed(from, 'attempt-7'));
      const realNow = Date.now.bind(Date);
      const startedAt = realNow();
      jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 59 * 60 * 1000);
      await expect(client.call.createPhoneCall(keyed(from, 'attempt-7'))).resolves.toMatchObject({ call_id: first.call_id });
      jest.spyOn(Date, 'now').mockImplementation(() => startedAt + 60 * 60 * 1000 + 1000 + (realNow() - startedAt));
      const later = await client.call.createPhoneCall(keyed(from, 'attempt-7'));
      expect(later.call_id).not.toBe(first.call_id);
      expect(harness.emulator.state.calls.size).toBe(2);
    });

    it('refuses a malformed key with 400 and dials nothing', async () => {
      const { from } = await numberWithAgent();
      for (const key of ['abc', 'has space', 'x'.repeat(256)]) {
        await expect(client.call.createPhoneCall(keyed(from, key))).rejects.toBeInstanceOf(Retell.BadRequestError);
      }
      expect(harness.emulator.state.calls.size).toBe(0);
    });
  });

  describe('call duration', () => {
    it('makes connected calls talk for the configured time (option and control API)', async () => {
      const timed = await startEmulator({ callDurationMs: 120 });
      try {
        const sdk = timed.client();
        const agent = await sdk.agent.create({ response_engine: { type: 'custom-llm', llm_websocket_url: 'wss://llm.example' }, voice_id: 'minimax-Max' });
        const number = await sdk.phoneNumber.create({ outbound_agents: [{ agent_id: agent.agent_id, weight: 1 }] });
        const call = await sdk.call.createPhoneCall({ from_number: number.phone_number, to_number: '+12135550100' });
        await timed.emulator.waitForIdle();
        const done = await sdk.call.retrieve(call.call_id);
        expect(done.duration_ms).toBeGreaterThanOrEqual(120);

        const response = await fetch(`${timed.baseURL}/__emulator/timing`, { method: 'POST', body: JSON.stringify({ call_duration_ms: 0 }) });
        expect(response.status).toBe(200);
        const quick = await sdk.call.createPhoneCall({ from_number: number.phone_number, to_number: '+12135550101' });
        await timed.emulator.waitForIdle();
        expect((await sdk.call.retrieve(quick.call_id)).duration_ms).toBeLessThan(120);
        expect(timed.violations).toEqual([]);
      } finally {
        await timed.stop();
      }
    });
  });
});
