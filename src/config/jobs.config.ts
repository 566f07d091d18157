import { registerAs } from '@nestjs/config';
import { bool, ConfigError, int, oneOf, optionalStr, str } from './env.js';

export const APP_ROLES = ['all', 'api', 'worker'] as const;
export type AppRole = (typeof APP_ROLES)[number];

/** ≈ 27 h in 10 retries after the first attempt: 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, 8 h, 12 h. */
const DEFAULT_RETRY_SCHEDULE = [5, 30, 120, 600, 1800, 3600, 7200, 14_400, 28_800, 43_200];

/**
 * The development switch for URLs we (or Retell) call: `URLS_ALLOW_PRIVATE`, or its older name
 * `TOOL_URLS_ALLOW_PRIVATE`. Refused in production.
 */
export function readAllowPrivateUrls(env: NodeJS.ProcessEnv): boolean {
  const name = optionalStr(env, 'URLS_ALLOW_PRIVATE') !== undefined ? 'URLS_ALLOW_PRIVATE' : 'TOOL_URLS_ALLOW_PRIVATE';
  const allow = bool(env, name, false);
  if (allow && env.NODE_ENV === 'production') throw new ConfigError(name, 'must not be true when NODE_ENV=production');
  return allow;
}

function retrySchedule(env: NodeJS.ProcessEnv): number[] {
  const name = 'WEBHOOK_RETRY_SCHEDULE_SECONDS';
  const raw = optionalStr(env, name);
  if (raw === undefined) return DEFAULT_RETRY_SCHEDULE;
  const parts = raw.split(',').map((part) => part.trim());
  if (parts.length > 50 || parts.some((part) => !/^\d{1,6}$/.test(part))) {
    throw new ConfigError(name, `must be a comma-separated list of at most 50 whole numbers of seconds (got "${raw}")`);
  }
  return parts.map(Number);
}

export function readJobsConfig(env: NodeJS.ProcessEnv = process.env) {
  return {
    /** `all`: HTTP and workers; `api`: HTTP only (jobs are enqueued, never run); `worker`: workers, and /health. */
    role: oneOf(env, 'APP_ROLE', APP_ROLES, 'all'),
    /** pg-boss's own schema in the app's database; created and migrated by pg-boss at start-up. */
    schema: str(env, 'JOBS_SCHEMA', 'pgboss'),
    poolMax: int(env, 'JOBS_POOL_MAX', 5, { min: 2, max: 100 }),
    /** How often pg-boss looks for jobs whose instance died (heartbeat lost) and hands them back. */
    superviseIntervalSeconds: int(env, 'JOBS_SUPERVISE_INTERVAL_SECONDS', 30, { min: 1, max: 3600 }),
    /**
     * The fallback pace of the outbox relay and the webhook delivery loop: both wake at once on new events and
     * deliveries (LISTEN/NOTIFY); this is how soon a missed notification, a retry that came due or an expired claim
     * (an instance that died) is noticed.
     */
    relayIntervalMs: int(env, 'EVENTS_RELAY_INTERVAL_MS', 1000, { min: 20, max: 60_000 }),
    /** Events (and their deliveries) older than this are deleted, hourly; never one with a pending delivery. */
    eventsRetentionDays: int(env, 'EVENTS_RETENTION_DAYS', 30, { min: 1, max: 3650 }),
  };
}

export function readWebhooksConfig(env: NodeJS.ProcessEnv = process.env) {
  const concurrency = int(env, 'WEBHOOK_CONCURRENCY', 10, { min: 1, max: 200 });
  return {
    timeoutMs: int(env, 'WEBHOOK_TIMEOUT_MS', 10_000, { min: 100, max: 60_000 }),
    /** Delay before each retry; the number of entries is the number of retries after the first attempt. */
    retryScheduleSeconds: retrySchedule(env),
    /** An endpoint whose every delivery failed for this long is disabled (5 days). */
    disableAfterSeconds: int(env, 'WEBHOOK_DISABLE_AFTER_SECONDS', 5 * 86_400, { min: 1 }),
    /** Deliveries in flight at once on one instance. */
    concurrency,
    /**
     * Of those, at most this many to one endpoint (default: half, rounded up; never above WEBHOOK_CONCURRENCY), so an
     * endpoint that is slow or hangs, or has a backlog, leaves the other slots to everyone else's endpoints.
     */
    concurrencyPerEndpoint: Math.min(concurrency, int(env, 'WEBHOOK_CONCURRENCY_PER_ENDPOINT', Math.ceil(concurrency / 2), { min: 1, max: 200 })),
    /** Development only: http and private or loopback receivers (the tests' local receiver). */
    allowPrivate: readAllowPrivateUrls(env),
    /** How long the previous secret keeps signing after a rotation (24 h). */
    rotationOverlapSeconds: int(env, 'WEBHOOK_SECRET_OVERLAP_SECONDS', 86_400, { min: 0 }),
    /**
     * Key that encrypts endpoint signing secrets at rest (AES-256-GCM). Unset: derived from JWT_SECRET, which every
     * instance already shares.
     */
    secretsKey: optionalStr(env, 'WEBHOOK_SECRETS_KEY'),
  };
}

export type JobsConfig = ReturnType<typeof readJobsConfig>;
export type WebhooksConfig = ReturnType<typeof readWebhooksConfig>;
export const jobsConfig = registerAs('jobs', () => readJobsConfig());
export const webhooksConfig = registerAs('webhooks', () => readWebhooksConfig());
