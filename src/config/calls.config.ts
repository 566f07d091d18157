import { registerAs } from '@nestjs/config';
import { int } from './env.js';

export function readCallsConfig(env: NodeJS.ProcessEnv = process.env) {
  return {
    /** Outbound calls one user may start per minute; beyond it 429 (calls cost money). */
    callsPerMinutePerUser: int(env, 'CALLS_PER_MINUTE_PER_USER', 10, { min: 1, max: 10_000 }),
    /** How long an Idempotency-Key's first response is kept for replay. */
    idempotencyTtlHours: int(env, 'IDEMPOTENCY_TTL_HOURS', 24, { min: 1, max: 24 * 30 }),
  };
}

export type CallsConfig = ReturnType<typeof readCallsConfig>;
export const callsConfig = registerAs('calls', () => readCallsConfig());
