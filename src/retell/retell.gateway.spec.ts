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
