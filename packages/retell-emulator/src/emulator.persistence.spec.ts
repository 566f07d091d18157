import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { EmulatorStateError } from './emulator.js';
import { StateFile } from './persistence.js';
import type { SavedState } from './state.js';
import { startEmulator, startWebhookReceiver, type EmulatorHarness, type WebhookReceiver } from './test-kit.js';

/** Polls `check` until it holds (bounded, with room for a loaded machine). */
async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const portOf = (url: string) => Number(new URL(url).port);

describe('RetellEmulator with a stateDir', () => {
  let stateDir: string;
  let receiver: WebhookReceiver;
  const running: EmulatorHarness[] = [];

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  afterAll(() => receiver.close());

  beforeEach(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'retell-emulator-state-'));
    receiver.received.length = 0;
  });

  afterEach(async () => {
    for (const harness of running.splice(0)) {
      await harness.stop();
      expect(harness.violations).toEqual([]);
    }
    rmSync(stateDir, { recursive: true, force: true });
  });

  async function start(options: Parameters<typeof startEmulator>[0] = {}) {
    const harness = await startEmulator({ stateDir, accountWebhookUrl: receiver.url, ...options });
    running.push(harness);
    return harness;
  }

  async function stop(harness: EmulatorHarness) {
    running.splice(running.indexOf(harness), 1);
    await harness.stop();
    expect(harness.violations).toEqual([]);
  }

  async function seed(harness: EmulatorHarness) {
    const client = harness.client();
    const llm = await client.llm.create({ general_prompt: 'Be brief.' });
    const agent = await client.agent.create({ agent_name: 'Before', response_engine: { type: 'retell-llm', llm_id: llm.llm_id }, voice_id: 'openai-Nova' });
    await client.agent.publish(agent.agent_id, { version: 0 });
    await client.agent.update(agent.agent_id, { agent_name: 'Draft' });
    const number = await client.phoneNumber.create({ outbound_agents: [{ agent_id: agent.agent_id, weight: 1 }] });
    return { llm, agent, from: number.phone_number };
  }

  it('keeps agents with their versions, LLMs, numbers, calls and recordings across a restart on the same port', async () => {
    const first = await start();
    const { llm, agent, from } = await seed(first);
    const call = await first.client().call.createPhoneCall({ from_number: from, to_number: '+12137774445' });
    await first.emulator.waitForIdle();
    const ended = await first.client().call.retrieve(call.call_id);
    expect(ended.recording_url).toContain(first.baseURL);
    await stop(first);

    const second = await start({ port: portOf(first.baseURL) });
    // Same process, same port: fetch's pool may still hold a socket of the first server, which retries get past.
    const client = second.client({ maxRetries: 2 });
    expect(second.baseURL).toBe(first.baseURL);
    expect((await client.agent.listVersions(agent.agent_id)).items.map((v) => [v.version, v.is_published])).toEqual([
      [1, false],
      [0, true],
    ]);
    expect((await client.llm.retrieve(llm.llm_id)).general_prompt).toBe('Be brief.');
    expect((await client.phoneNumber.retrieve(from)).outbound_agents).toEqual([{ agent_id: agent.agent_id, weight: 1 }]);
    expect(await client.call.retrieve(call.call_id)).toEqual(ended);
    const recording = await fetch(ended.recording_url!);
    expect(recording.status).toBe(200);
    expect(recording.headers.get('content-type')).toBe('audio/wav');

    // The restored workspace takes new work: an edit, a new call through the old number, new ids after the old ones.
    expect(await client.agent.update(agent.agent_id, { agent_name: 'After' })).toMatchObject({ agent_name: 'After', version: 1 });
    const next = await client.call.createPhoneCall({ from_number: from, to_number: '+12137774446' });
    await second.emulator.waitForIdle();
    expect((await client.call.retrieve(next.call_id)).call_status).toBe('ended');
    const listed = await client.call.list({ sort_order: 'descending' });
    expect(listed.items.map((c) => c.call_id)).toEqual([next.call_id, call.call_id]);
  });

  it('carries on with a call that was in progress when the emulator stopped', async () => {
    // Human pace: the call is still ringing or talking when the first emulator stops, seconds before its analysis.
    const first = await start({ timing: 'human' });
    const { from } = await seed(first);
    const call = await first.client().call.createPhoneCall({ from_number: from, to_number: '+12137774445' });
    await stop(first);
    const saved = JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8')) as SavedState;
    const before = saved.calls.find((stored) => stored.call.call_id === call.call_id)!.call;
    expect(before.call_analysis).toBeUndefined();

    const second = await start({ timing: 'fast' });
    await eventually(() => second.emulator.state.calls.get(call.call_id)?.call.call_analysis !== undefined, 'the resumed call to be analysed');
    await second.emulator.waitForIdle();
    const after = await second.client().call.retrieve(call.call_id);
    expect(after).toMatchObject({ call_status: 'ended', disconnection_reason: 'agent_hangup' });
    expect(after.transcript).toBeTruthy();
    const events = receiver.received.filter((hook) => hook.body.call.call_id === call.call_id).map((hook) => hook.body.event);
    expect(events.at(-1)).toBe('call_analyzed');
    expect(events).toContain('call_ended');
  });

  it('refuses a folder another running emulator holds, and takes over the lock of a process that is gone', async () => {
    await start();
    await expect(startEmulator({ stateDir })).rejects.toThrow(EmulatorStateError);
    await expect(startEmulator({ stateDir })).rejects.toThrow(`in use by process ${process.pid}`);
    await stop(running[0]!);

    // A lock left behind by a killed process (its pid no longer runs) does not block the next start.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(join(stateDir, 'lock'), String(gone));
    const harness = await start();
    expect(readFileSync(join(stateDir, 'lock'), 'utf8')).toBe(String(process.pid));
    await stop(harness);
    expect(existsSync(join(stateDir, 'lock'))).toBe(false);
  });

  it('refuses a state file it cannot read instead of starting empty', async () => {
    writeFileSync(join(stateDir, 'state.json'), '{"format":1,');
    await expect(startEmulator({ stateDir })).rejects.toThrow(/state\.json is not valid JSON.*move it away/);
    writeFileSync(join(stateDir, 'state.json'), JSON.stringify({ format: 99 }));
    await expect(startEmulator({ stateDir })).rejects.toThrow(/format 99, expected 1/);
    // A refused start leaves the folder free.
    expect(existsSync(join(stateDir, 'lock'))).toBe(false);
  });

  it('without a stateDir, starts empty every time', async () => {
    const first = await startEmulator();
    running.push(first);
    await seed(first);
    await stop(first);
    const second = await startEmulator();
    running.push(second);
    expect(second.emulator.state.agents.size).toBe(0);
  });
});

describe('StateFile', () => {
  it('folds a burst of changes into one write, made after the burst', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'retell-emulator-state-'));
    try {
      const file = new StateFile(dir);
      file.lock();
      let snapshots = 0;
      const empty = (): SavedState => {
        snapshots++;
        return { lastSeq: snapshots, agents: [], llms: [], phoneNumbers: [], calls: [], idempotencyKeys: [], tombstones: [] };
      };
      for (let i = 0; i < 50; i++) file.changed(empty);
      expect(existsSync(join(dir, 'state.json'))).toBe(false);
      await eventually(() => existsSync(join(dir, 'state.json')), 'the coalesced write');
      expect(snapshots).toBe(1);
      expect(file.load()?.lastSeq).toBe(1);
      file.close();
      expect(snapshots).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
