import { registerAs } from '@nestjs/config';
import { int, optionalStr } from './env.js';

/** An integer variable that may be unset (undefined), else checked like `int`. */
function optionalInt(env: NodeJS.ProcessEnv, name: string, range: { min: number; max: number }): number | undefined {
  return optionalStr(env, name) === undefined ? undefined : int(env, name, range.min, range);
}

export function readCallsConfig(env: NodeJS.ProcessEnv = process.env) {
  return {
    /** Outbound phone calls one user may start per minute; beyond it 429 (calls cost money). */
    callsPerMinutePerUser: int(env, 'CALLS_PER_MINUTE_PER_USER', 10, { min: 1, max: 10_000 }),
    /** Web calls one user may start per minute (they cost Retell minutes too). */
    webCallsPerMinutePerUser: int(env, 'WEB_CALLS_PER_MINUTE_PER_USER', 10, { min: 1, max: 10_000 }),
    /** Phone numbers one user may buy per day (each one is billed monthly). */
    numberPurchasesPerDayPerUser: int(env, 'PHONE_NUMBER_PURCHASES_PER_DAY_PER_USER', 10, { min: 1, max: 10_000 }),
    /** Calls one user may have in progress at once (single calls and campaigns alike); beyond it 429 `user_concurrency`. */
    callConcurrencyPerUser: int(env, 'CALL_CONCURRENCY_PER_USER', 10, { min: 1, max: 10_000 }),
    /** Call minutes one user may use per calendar month (UTC); undefined = no cap. At the cap 429 `minutes_cap`. */
    callMinutesPerMonthPerUser: optionalInt(env, 'CALL_MINUTES_PER_MONTH_PER_USER', { min: 1, max: 100_000_000 }),
    /** The Retell workspace's concurrent-call limit; undefined = ask Retell (`GET /get-concurrency`, cached ~60 s). */
    retellConcurrencyLimit: optionalInt(env, 'RETELL_CONCURRENCY_LIMIT', { min: 1, max: 100_000 }),
    /** How long an Idempotency-Key's first response is kept for replay. */
    idempotencyTtlHours: int(env, 'IDEMPOTENCY_TTL_HOURS', 24, { min: 1, max: 24 * 30 }),
  };
}

export type CallsConfig = ReturnType<typeof readCallsConfig>;
export const callsConfig = registerAs('calls', () => readCallsConfig());

/** The spending caps as rate limits (token buckets in PostgreSQL, see RateLimiter). */
export function spendingLimits(config: CallsConfig) {
  return {
    phoneCalls: {
      name: 'phone_calls',
      capacity: config.callsPerMinutePerUser,
      periodSeconds: 60,
      message: `At most ${config.callsPerMinutePerUser} calls may be started per minute`,
    },
    webCalls: {
      name: 'web_calls',
      capacity: config.webCallsPerMinutePerUser,
      periodSeconds: 60,
      message: `At most ${config.webCallsPerMinutePerUser} web calls may be started per minute`,
    },
    numberPurchases: {
      name: 'number_purchases',
      capacity: config.numberPurchasesPerDayPerUser,
      periodSeconds: 86_400,
      message: `At most ${config.numberPurchasesPerDayPerUser} phone numbers may be bought per day`,
    },
  };
}
