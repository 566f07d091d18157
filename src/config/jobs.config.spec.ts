import { readJobsConfig, readWebhooksConfig } from './jobs.config.js';
import { readRetellConfig } from './retell.config.js';

describe('jobs and webhooks configuration', () => {
  it('has working defaults: role all, about a day of retries, 10 s time limit', () => {
    expect(readJobsConfig({})).toMatchObject({ role: 'all', schema: 'pgboss', relayIntervalMs: 1000, eventsRetentionDays: 30 });
    const webhooks = readWebhooksConfig({});
    expect(webhooks).toMatchObject({ timeoutMs: 10_000, allowPrivate: false, disableAfterSeconds: 432_000, rotationOverlapSeconds: 86_400 });
    const total = webhooks.retryScheduleSeconds.reduce((sum, s) => sum + s, 0);
    expect(total).toBeGreaterThan(20 * 3600);
    expect(total).toBeLessThan(36 * 3600);
  });

  it('gives each endpoint half the delivery slots unless told otherwise, never more than all of them', () => {
    expect(readWebhooksConfig({}).concurrencyPerEndpoint).toBe(5);
    expect(readWebhooksConfig({ WEBHOOK_CONCURRENCY: '1' }).concurrencyPerEndpoint).toBe(1);
    expect(readWebhooksConfig({ WEBHOOK_CONCURRENCY: '7' }).concurrencyPerEndpoint).toBe(4);
    expect(readWebhooksConfig({ WEBHOOK_CONCURRENCY: '16', WEBHOOK_CONCURRENCY_PER_ENDPOINT: '3' }).concurrencyPerEndpoint).toBe(3);
    expect(readWebhooksConfig({ WEBHOOK_CONCURRENCY: '4', WEBHOOK_CONCURRENCY_PER_ENDPOINT: '50' }).concurrencyPerEndpoint).toBe(4);
    expect(() => readWebhooksConfig({ WEBHOOK_CONCURRENCY_PER_ENDPOINT: '0' })).toThrow('WEBHOOK_CONCURRENCY_PER_ENDPOINT must be >= 1 (got 0)');
  });

  it('reads a retry schedule and the new and old names of the private-URL switch', () => {
    expect(readWebhooksConfig({ WEBHOOK_RETRY_SCHEDULE_SECONDS: '1, 2,3' }).retryScheduleSeconds).toEqual([1, 2, 3]);
    expect(readWebhooksConfig({ URLS_ALLOW_PRIVATE: 'true' }).allowPrivate).toBe(true);
    expect(readWebhooksConfig({ TOOL_URLS_ALLOW_PRIVATE: 'true' }).allowPrivate).toBe(true);
    expect(readRetellConfig({ URLS_ALLOW_PRIVATE: 'true' }).toolUrlsAllowPrivate).toBe(true);
    // The new name wins when both are set.
    expect(readWebhooksConfig({ URLS_ALLOW_PRIVATE: 'false', TOOL_URLS_ALLOW_PRIVATE: 'true' }).allowPrivate).toBe(false);
  });

  it.each([
    [() => readJobsConfig({ APP_ROLE: 'both' }), 'Invalid configuration: APP_ROLE must be one of all, api, worker (got "both")'],
    [() => readWebhooksConfig({ WEBHOOK_RETRY_SCHEDULE_SECONDS: '5,soon' }), 'Invalid configuration: WEBHOOK_RETRY_SCHEDULE_SECONDS must be a comma-separated list'],
    [() => readWebhooksConfig({ WEBHOOK_TIMEOUT_MS: '10' }), 'Invalid configuration: WEBHOOK_TIMEOUT_MS must be >= 100 (got 10)'],
    [() => readWebhooksConfig({ URLS_ALLOW_PRIVATE: 'true', NODE_ENV: 'production' }), 'Invalid configuration: URLS_ALLOW_PRIVATE must not be true when NODE_ENV=production'],
  ])('stops with a message naming the variable (%#)', (read, message) => {
    expect(read).toThrow(message);
  });
});
