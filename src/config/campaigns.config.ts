import { registerAs } from '@nestjs/config';
import { int } from './env.js';

export function readCampaignsConfig(env: NodeJS.ProcessEnv = process.env) {
  return {
    /** How often an idle dialer looks for due targets and finished calls (it goes on at once while there is work). */
    dialerIntervalMs: int(env, 'DIALER_INTERVAL_MS', 500, { min: 10, max: 60_000 }),
    /**
     * How long the instance that wrote an attempt owns it before another instance reconciles it (re-sends its
     * idempotency key). Longer than a create-phone-call can take (RETELL_TIMEOUT_MS), far shorter than the hour Retell
     * keeps a key.
     */
    dialerLeaseSeconds: int(env, 'DIALER_LEASE_SECONDS', 60, { min: 2, max: 1800 }),
  };
}

export type CampaignsConfig = ReturnType<typeof readCampaignsConfig>;
export const campaignsConfig = registerAs('campaigns', () => readCampaignsConfig());
