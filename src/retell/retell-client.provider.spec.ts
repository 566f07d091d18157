import Retell from 'retell-sdk';
import { RetellEmulator } from '@retell-agents/retell-emulator';
import { cappedRetryFetch } from './retell-client.provider.js';

describe('the Retell client on our request path', () => {
  const apiKey = 'key_capped_retry_test';
  let emulator: RetellEmulator;
  let baseURL: string;

  beforeAll(async () => {
    emulator = new RetellEmulator({ apiKey });
    baseURL = await emulator.start();
  });
  afterAll(() => emulator.stop());
  afterEach(() => emulator.clearFaults());

  const client = () => new Retell({ apiKey, baseURL, maxRetries: 2, fetch: cappedRetryFetch });

  it('gives up at once when Retell asks to wait longer than the cap, keeping its retry-after', async () => {
    emulator.injectFault({ path: '/list-voices', kind: 'status', status: 429, retryAfterSeconds: 3600, times: 3 });
    const error = await client().voice.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Retell.RateLimitError);
    expect((error as InstanceType<typeof Retell.RateLimitError>).headers.get('retry-after')).toBe('3600');
    // Not retried: the other two planned faults are still waiting.
    expect(emulator.faults.map((f) => f.remaining)).toEqual([2]);
  });

  it('still retries a short retry-after', async () => {
    emulator.injectFault({ path: '/list-voices', kind: 'status', status: 429, retryAfterSeconds: 1, times: 1 });
    const voices = await client().voice.list();
    expect(voices.length).toBeGreaterThan(0);
  });
});
