import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import Retell from 'retell-sdk';
import { startEmulator, startWebhookReceiver, type EmulatorHarness, type WebhookReceiver } from './test-kit.js';

/** The emulator-only HTTP control API, as a test or demo in another process would use it. */
describe('RetellEmulator control API', () => {
  let harness: EmulatorHarness;
  let client: Retell;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    harness = await startEmulator({ accountWebhookUrl: receiver.url });
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

  /** No Authorization header: the control API does not use Retell's auth. */
  async function control(method: string, path: string, body?: unknown) {
    const response = await fetch(`${harness.baseURL}/__emulator${path}`, { method, ...(body !== undefined && { body: JSON.stringify(body) }) });
    const text = await response.text();
    const isJson = response.headers.get('content-type')?.startsWith('application/json');
    return { status: response.status, body: text === '' ? undefined : isJson ? JSON.parse(text) : text, headers: response.headers };
  }

  async function boundNumber() {
    const agent = await client.agent.create({ response_engine: { type: 'custom-llm', llm_websocket_url: 'wss://llm.example' }, voice_id: 'minimax-Max' });
    const number = await client.phoneNumber.create({ inbound_agents: [{ agent_id: agent.agent_id, weight: 1 }], outbound_agents: [{ agent_id: agent.agent_id, weight: 1 }] });
    return { agent, number: number.phone_number };
  }

  it('injects, lists and clears faults', async () => {
    const injected = await control('POST', '/faults', { method: 'GET', path: '/list-voices', kind: 'status', status: 503, times: 2 });
    expect(injected).toMatchObject({ status: 201, body: { id: expect.any(Number), kind: 'status', status: 503, remaining: 2 } });
    await expect(client.voice.list()).rejects.toBeInstanceOf(Retell.InternalServerError);
    expect((await control('GET', '/faults')).body).toEqual([expect.objectContaining({ remaining: 1 })]);
    expect((await control('DELETE', '/faults')).status).toBe(204);
    await expect(client.voice.list()).resolves.toHaveLength(21);
  });

  it('refuses malformed faults with 400', async () => {
    expect(await control('POST', '/faults', { path: '/x', kind: 'explode' })).toMatchObject({ status: 400, body: { status: 'error' } });
    expect(harness.emulator.faults).toEqual([]);
  });

  it('is never hit by faults itself', async () => {
    harness.emulator.injectFault({ path: '/', kind: 'status', status: 500, times: 5 });
    expect((await control('GET', '/state')).status).toBe(200);
    expect(harness.emulator.faults[0]!.remaining).toBe(5);
  });

  it('rings inbound calls, and answers 422 for numbers that cannot take them', async () => {
    const { agent, number } = await boundNumber();
    const rung = await control('POST', '/inbound-calls', { from_number: '+12125550123', to_number: number, scenario: 'voicemail' });
    expect(rung).toMatchObject({ status: 201, body: { direction: 'inbound', agent_id: agent.agent_id, to_number: number } });
    expect((await control('POST', '/wait-for-idle')).status).toBe(204);
    expect(receiver.received.map((hook) => hook.body.event)).toEqual(['call_started', 'call_ended', 'call_analyzed']);
    await expect(client.call.retrieve(rung.body.call_id)).resolves.toMatchObject({ disconnection_reason: 'voicemail_reached' });

    expect(await control('POST', '/inbound-calls', { from_number: '+12125550123', to_number: '+19999999999' })).toMatchObject({ status: 422 });
    expect(await control('POST', '/inbound-calls', { from_number: '+12125550123', to_number: number, scenario: 'nope' })).toMatchObject({ status: 400 });
  });

  it('sets scenarios per destination number', async () => {
    const { number } = await boundNumber();
    expect((await control('POST', '/scenarios', { to_number: '+12137774445', scenario: 'no_answer' })).status).toBe(204);
    const call = await client.call.createPhoneCall({ from_number: number, to_number: '+12137774445' });
    await control('POST', '/wait-for-idle');
    await expect(client.call.retrieve(call.call_id)).resolves.toMatchObject({ call_status: 'not_connected', disconnection_reason: 'dial_no_answer' });
    expect(receiver.received.map((hook) => hook.body.event)).toEqual(['call_ended', 'call_analyzed']);
  });

  it('switches webhook behaviour and shows the delivery log', async () => {
    const { number } = await boundNumber();
    expect(await control('POST', '/webhook-behaviour', { duplicate: true })).toEqual(expect.objectContaining({ status: 200, body: { duplicate: true, outOfOrder: false } }));
    await client.call.createPhoneCall({ from_number: number, to_number: '+12137774445' });
    await control('POST', '/wait-for-idle');
    const deliveries = await control('GET', '/deliveries');
    expect(deliveries.body).toHaveLength(6);
    expect(deliveries.body[0]).toEqual({ url: receiver.url, event: 'call_started', call_id: expect.any(String), attempt: 1, status: 204, duplicate: false, timestamp: expect.any(Number) });
  });

  it('shows the state and resets it', async () => {
    const { agent, number } = await boundNumber();
    const state = await control('GET', '/state');
    expect(state.body).toMatchObject({ agents: [{ id: agent.agent_id, versions: [{ version: 0 }] }], llms: [], phone_numbers: [{ phone_number: number }], calls: [] });
    expect((await control('POST', '/reset')).status).toBe(204);
    expect((await control('GET', '/state')).body).toEqual({ agents: [], llms: [], phone_numbers: [], calls: [] });
  });

  it('serves the recording and public log a finished call points to', async () => {
    const { number } = await boundNumber();
    const created = await client.call.createPhoneCall({ from_number: number, to_number: '+12137774445' });
    await harness.emulator.waitForIdle();
    const call = await client.call.retrieve(created.call_id);
    const recording = await fetch(call.recording_url!);
    expect(recording.headers.get('content-type')).toBe('audio/wav');
    expect(Buffer.from(await recording.arrayBuffer()).subarray(0, 4).toString()).toBe('RIFF');
    await expect((await fetch(call.public_log_url!)).text()).resolves.toBe(call.transcript);
    expect((await control('GET', `/media/${created.call_id}/other.bin`)).status).toBe(404);
  });
});

describe('npm run emulator (standalone.ts)', () => {
  it('starts on the configured port, logs where, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', '@swc-node/register/esm-register', fileURLToPath(new URL('./standalone.ts', import.meta.url))], {
      cwd: fileURLToPath(new URL('../../..', import.meta.url)),
      env: { ...process.env, RETELL_EMULATOR_PORT: '0', RETELL_API_KEY: 'key_standalone_test', RETELL_EMULATOR_TIMING: 'fast' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(output);
        if (match) resolve(match[1]!);
      });
    });
    try {
      const voices = await new Retell({ apiKey: 'key_standalone_test', baseURL: url, maxRetries: 0 }).voice.list();
      expect(voices.length).toBeGreaterThan(0);
      expect(output).toContain('API key: taken from RETELL_API_KEY');
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await expect(exited).resolves.toBe(0);
    }
  });
});
