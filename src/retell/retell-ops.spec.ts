import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'retell-sdk';
import { withRetries } from './retell-ops.js';

const headers = (values: Record<string, string> = {}) => new Headers(values);
/** The error the SDK throws for this HTTP status (its own subclass: RateLimitError for 429, ...). */
const status = (code: number, extra: Record<string, string> = {}) => APIError.generate(code, { message: 'x' }, 'x', headers(extra));

describe('Retell operation helpers', () => {
  describe('withRetries', () => {
    it.each([
      ['a 500', status(500)],
      ['a 429', status(429, { 'retry-after': '0' })],
      ['a connection error', new APIConnectionError({ message: 'reset' })],
      ['a timeout', new APIConnectionTimeoutError()],
    ])('retries %s, then succeeds', async (_case, error) => {
      let calls = 0;
      const result = await withRetries(async () => {
        calls++;
        if (calls < 3) throw error;
        return 'ok';
      });
      expect(result).toBe('ok');
      expect(calls).toBe(3);
    });

    it('does not retry what will not get better (400, 422)', async () => {
      for (const error of [status(400), status(422)]) {
        let calls = 0;
        await expect(withRetries(async () => { calls++; throw error; })).rejects.toBe(error);
        expect(calls).toBe(1);
      }
    });

    it('gives up after the last attempt with the last error', async () => {
      let calls = 0;
      const error = status(503, { 'retry-after': '0' });
      await expect(withRetries(async () => { calls++; throw error; }, 2)).rejects.toBe(error);
      expect(calls).toBe(2);
    });

    it('never waits the hour a 429 asks for (the wait is capped)', async () => {
      const started = Date.now();
      let calls = 0;
      await withRetries(async () => {
        if (calls++ === 0) throw status(429, { 'retry-after': '3600' });
      });
      // The cap is 2 s; the bound only has to tell that from the hour asked for, on however busy a machine.
      expect(Date.now() - started).toBeLessThan(20_000);
    });
  });
});
