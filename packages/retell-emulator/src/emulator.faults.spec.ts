import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import Retell, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'retell-sdk';
import { startEmulator, type EmulatorHarness } from './test-kit.js';

describe('RetellEmulator fault injection', () => {
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

  const failure = (promise: Promise<unknown>): Promise<unknown> =>
    promise.then(
      () => {
        throw new Error('expected the request to fail');
      },
      (error: unknown) => error,
    );

  const createLlm = () => client.llm.create({ general_prompt: 'hi' });

  it('answers 500 with Retell\'s error body, without touching state, for the next request only', async () => {
    harness.emulator.injectFault({ path: '/create-retell-llm', kind: 'status', status: 500 });
    const error = await failure(createLlm());
    expect(error).toBeInstanceOf(Retell.InternalServerError);
    expect((error as APIError).error).toEqual({ status: 'error', message: 'An unexpected server error occurred.' });
    expect(harness.emulator.state.llms.size).toBe(0);
    await expect(createLlm()).resolves.toHaveProperty('llm_id');
    expect(harness.emulator.faults).toEqual([]);
  });

  it('answers 429 with retry-after, which the SDK honours when it retries', async () => {
    harness.emulator.injectFault({ path: '/v2/list-agents', kind: 'status', status: 429, retryAfterSeconds: 7 });
    const error = await failure(client.agent.list());
    expect(error).toBeInstanceOf(Retell.RateLimitError);
    expect((error as APIError).headers?.get('retry-after')).toBe('7');
    expect((error as APIError).error).toEqual({ status: 'error', message: 'Account rate limited, please throttle your requests.' });

    // retry-after: 0 lets the SDK retry at once; the retried request succeeds and creates exactly one LLM.
    harness.emulator.injectFault({ method: 'POST', path: '/create-retell-llm', kind: 'status', status: 429, retryAfterSeconds: 0 });
    await expect(harness.client({ maxRetries: 1 }).llm.create({})).resolves.toHaveProperty('llm_id');
    expect(harness.emulator.state.llms.size).toBe(1);
  });

  it('answers 402 on create-phone-call', async () => {
    harness.emulator.injectFault({ path: '/v2/create-phone-call', kind: 'status', status: 402 });
    const error = await failure(client.call.createPhoneCall({ from_number: '+14155550100', to_number: '+12137774445' }));
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(402);
    expect((error as APIError).message).toBe('402 Trial has ended, please add payment method.');
  });

  it('fails the next `times` matching requests, matching method and path prefix', async () => {
    harness.emulator.injectFault({ method: 'get', path: '/get-retell-llm', kind: 'status', status: 503, times: 2 });
    const llm = await createLlm();
    await expect(client.llm.update(llm.llm_id, { general_prompt: 'changed' })).resolves.toBeDefined();
    await expect(client.llm.retrieve(llm.llm_id)).rejects.toBeInstanceOf(Retell.InternalServerError);
    await expect(client.llm.retrieve(llm.llm_id)).rejects.toBeInstanceOf(Retell.InternalServerError);
    await expect(client.llm.retrieve(llm.llm_id)).resolves.toMatchObject({ general_prompt: 'changed' });
  });

  it('applies before authentication', async () => {
    harness.emulator.injectFault({ path: '/list-voices', kind: 'status', status: 500 });
    await expect(harness.client({ apiKey: 'key_wrong' }).voice.list()).rejects.toBeInstanceOf(Retell.InternalServerError);
  });

  it('timeout: never answers, so the client gives up; nothing is created', async () => {
    harness.emulator.injectFault({ path: '/create-agent', kind: 'timeout' });
    const started = Date.now();
    const error = await failure(
      harness.client({ timeout: 150 }).agent.create({ response_engine: { type: 'custom-llm', llm_websocket_url: 'wss://x.example' }, voice_id: 'retell-Cimo' }),
    );
    // Outside Jest this is an APIConnectionTimeoutError. Under Jest's VM modules the SDK cannot recognise Node's
    // AbortError (a DOMException from another realm), so it reports a plain connection error.
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(harness.emulator.state.agents.size).toBe(0);
  });

  it('timeout: a held request is released (its connection dropped) by reset()', async () => {
    harness.emulator.injectFault({ path: '/list-voices', kind: 'timeout' });
    const pending = failure(client.voice.list());
    // Reset only once the request is being held (the fault consumed), however slowly it arrives on a busy machine.
    while (harness.emulator.faults.length > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    harness.emulator.reset();
    await expect(pending).resolves.toBeInstanceOf(APIConnectionError);
  });

  it('reset: destroys the connection', async () => {
    harness.emulator.injectFault({ path: '/v2/create-phone-call', kind: 'reset' });
    const error = await failure(client.call.createPhoneCall({ from_number: '+14155550100', to_number: '+12137774445' }));
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error).not.toBeInstanceOf(APIConnectionTimeoutError);
    expect(harness.emulator.state.calls.size).toBe(0);
  });

  it('latency: answers normally, late', async () => {
    harness.emulator.injectFault({ path: '/create-retell-llm', kind: 'latency', latencyMs: 120 });
    const started = Date.now();
    await expect(createLlm()).resolves.toHaveProperty('llm_id');
    expect(Date.now() - started).toBeGreaterThanOrEqual(115);
    expect(harness.emulator.state.llms.size).toBe(1);
  });

  it('rejects malformed fault specs', () => {
    expect(() => harness.emulator.injectFault({ path: 'create-agent', kind: 'status', status: 500 })).toThrow(/path/);
    expect(() => harness.emulator.injectFault({ path: '/create-agent', kind: 'status' })).toThrow(/status/);
    expect(() => harness.emulator.injectFault({ path: '/create-agent', kind: 'latency' })).toThrow(/latencyMs/);
    expect(harness.emulator.faults).toEqual([]);
  });

  it('clearFaults() and reset() drop pending faults; reset() also empties the workspace', async () => {
    await createLlm();
    harness.emulator.injectFault({ path: '/', kind: 'status', status: 500, times: 10 });
    harness.emulator.clearFaults();
    await expect(client.llm.list()).resolves.toMatchObject({ items: [expect.anything()] });

    harness.emulator.injectFault({ path: '/', kind: 'status', status: 500, times: 10 });
    harness.emulator.reset();
    expect(harness.emulator.faults).toEqual([]);
    expect(harness.emulator.state.llms.size).toBe(0);
    await expect(client.llm.list()).resolves.toEqual({ items: [], has_more: false });
  });
});
