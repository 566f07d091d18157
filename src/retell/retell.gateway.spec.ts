import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import Retell from 'retell-sdk';
import { RetellEmulator } from '@retell-agents/retell-emulator';
import type { RetellConnection } from './retell-client.provider.js';
import { RetellFailure, RetellGateway, type UndoStep } from './retell.gateway.js';

describe('RetellGateway', () => {
  const apiKey = 'key_gateway_test';
  let emulator: RetellEmulator;
  let gateway: RetellGateway;

  beforeAll(async () => {
    emulator = new RetellEmulator({ apiKey });
    const baseURL = await emulator.start();
    const client = new Retell({ apiKey, baseURL, maxRetries: 0, timeout: 2000 });
    gateway = new RetellGateway(client, { apiKey } as RetellConnection);
  });
  afterAll(() => emulator.stop());
  afterEach(() => {
    emulator.clearFaults();
    jest.restoreAllMocks();
  });

  it('counts Retell’s 422 (unknown id) as already deleted, and nothing else', async () => {
    const { llmId } = await gateway.createLlm({ general_prompt: 'x' } as Retell.LlmCreateParams);
    await expect(gateway.deleteLlm(llmId)).resolves.toBe('deleted');
    await expect(gateway.deleteLlm(llmId)).resolves.toBe('already gone');
    emulator.injectFault({ path: '/delete-agent', kind: 'status', status: 500 });
    const failure = await gateway.deleteAgent('agent_does_not_matter').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RetellFailure);
    expect((failure as RetellFailure).getStatus()).toBe(502);
  });

  it('never retries a create that costs money, and translates the failure with a retry hint', async () => {
    emulator.injectFault({ path: '/v2/create-phone-call', kind: 'status', status: 500, times: 2 });
    const failure = await gateway
      .placePhoneCall({ from_number: '+14155550100', to_number: '+14155550199' })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RetellFailure);
    expect((failure as RetellFailure).getResponse()).toMatchObject({ statusCode: 502, retryAfterSeconds: 5 });
    // One attempt only: the second planned fault is still waiting.
    expect(emulator.faults.map((fault) => fault.remaining)).toEqual([1]);
  });

  describe('dials', () => {
    let client: Retell;
    let from: string;
    let baseURL: string;

    beforeAll(async () => {
      baseURL = (gateway as unknown as { retell: Retell }).retell.baseURL;
      client = new Retell({ apiKey, baseURL, maxRetries: 0 });
      const agent = await client.agent.create({ response_engine: { type: 'custom-llm', llm_websocket_url: 'wss://llm.example' }, voice_id: 'minimax-Max' });
      from = (await client.phoneNumber.create({ outbound_agents: [{ agent_id: agent.agent_id, weight: 1 }] })).phone_number;
    });
    afterEach(() => emulator.setConcurrencyLimit(20));

    const dial = (to = '+14155550123') => ({ from_number: from, to_number: to });
    const callsTo = (to: string) => [...emulator.state.calls.values()].filter((stored) => 'to_number' in stored.call && stored.call.to_number === to).length;

    it('reads the workspace concurrency', async () => {
      emulator.setConcurrencyLimit(7);
      await expect(gateway.getConcurrency()).resolves.toEqual({ limit: 7, current: expect.any(Number) });
    });

    it('turns a full workspace into a concurrency_limit failure: our 429 with a code and a retry hint', async () => {
      emulator.setConcurrencyLimit(0);
      for (const attempt of [() => gateway.placePhoneCall(dial('+14155550124')), () => gateway.placePhoneCall(dial('+14155550124'), { idempotencyKey: 'attempt-full-1' })]) {
        const failure = (await attempt().catch((error: unknown) => error)) as RetellFailure;
        expect(failure).toBeInstanceOf(RetellFailure);
        expect(failure.kind).toBe('concurrency_limit');
        expect(failure.concurrencyLimited).toBe(true);
        expect(failure.getResponse()).toMatchObject({ statusCode: 429, code: 'workspace_concurrency', retryAfterSeconds: 5 });
      }
      expect(callsTo('+14155550124')).toBe(0);
    });

    it('keeps any other 429 a rate_limited 503, and does not retry it even with a key', async () => {
      emulator.injectFault({ path: '/v2/create-phone-call', kind: 'status', status: 429, times: 2 });
      const failure = (await gateway.placePhoneCall(dial(), { idempotencyKey: 'attempt-rate-1' }).catch((error: unknown) => error)) as RetellFailure;
      expect(failure.kind).toBe('rate_limited');
      expect(failure.concurrencyLimited).toBe(false);
      expect(failure.getStatus()).toBe(503);
      expect(emulator.faults.map((fault) => fault.remaining)).toEqual([1]);
    });

    it('sends the idempotency key and retries a keyed dial that timed out: one call at Retell', async () => {
      const impatient = new RetellGateway(new Retell({ apiKey, baseURL, maxRetries: 0, timeout: 300 }), { apiKey } as RetellConnection);
      emulator.injectFault({ path: '/v2/create-phone-call', kind: 'latency', latencyMs: 800 });
      const call = await impatient.placePhoneCall(dial('+14155550125'), { idempotencyKey: 'attempt-slow-1' });
      await new Promise((resolve) => setTimeout(resolve, 900));
      expect(callsTo('+14155550125')).toBe(1);
      // The key went to Retell: the same attempt again is the same call, and nothing more is dialled.
      await expect(gateway.placePhoneCall(dial('+14155550125'), { idempotencyKey: 'attempt-slow-1' })).resolves.toMatchObject({ call_id: call.call_id });
      expect(callsTo('+14155550125')).toBe(1);
    });

    it('does not retry an unkeyed dial that timed out (it may have dialled)', async () => {
      const impatient = new RetellGateway(new Retell({ apiKey, baseURL, maxRetries: 0, timeout: 300 }), { apiKey } as RetellConnection);
      emulator.injectFault({ path: '/v2/create-phone-call', kind: 'latency', latencyMs: 600 });
      const failure = await impatient.placePhoneCall(dial('+14155550126')).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(RetellFailure); // 503 or 504, as the SDK reports the timeout
      await new Promise((resolve) => setTimeout(resolve, 700));
      // The emulator drops a request whose client went away before it was read, so nothing was dialled: a retry
      // would have shown up here as a call.
      expect(callsTo('+14155550126')).toBe(0);
    });
  });

  it('answers a number request Retell refused as the client’s own 400', async () => {
    emulator.injectFault({ path: '/create-phone-number', kind: 'status', status: 400 });
    const failure = await gateway.buyNumber({ area_code: 415 }).catch((error: unknown) => error);
    expect((failure as RetellFailure).getStatus()).toBe(400);
  });

  it('undoes newest first, logs a step that still fails, and carries on', async () => {
    const done: string[] = [];
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const steps: UndoStep[] = [
      { what: 'delete the LLM', run: async () => void done.push('llm') },
      { what: 'delete the agent', run: async () => Promise.reject(new Error('refused')) },
    ];
    await gateway.undo(steps);
    expect(done).toEqual(['llm']);
    expect(logged).toHaveBeenCalledWith(expect.objectContaining({ msg: 'could not undo at Retell: delete the agent' }));
    await gateway.undo(steps);
    expect(done).toEqual(['llm']);
  });

  it('withUndo runs the collected steps when the work fails, and not when it succeeds', async () => {
    const done: string[] = [];
    const step = (name: string): UndoStep => ({ what: name, run: async () => void done.push(name) });
    await expect(gateway.withUndo(async (undo) => { undo.push(step('a')); return 'ok'; })).resolves.toBe('ok');
    expect(done).toEqual([]);
    const error = new Error('database failed');
    await expect(gateway.withUndo(async (undo) => { undo.push(step('a'), step('b')); throw error; })).rejects.toBe(error);
    expect(done).toEqual(['b', 'a']);
  });
});
