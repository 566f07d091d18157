import { registerAs } from '@nestjs/config';
import { int, oneOf, optionalStr, url } from './env.js';

export function readRetellConfig(env: NodeJS.ProcessEnv = process.env) {
  const apiKey = optionalStr(env, 'RETELL_API_KEY');
  return {
    /** Unset: the app starts the local Retell emulator in-process and talks to it. */
    apiKey,
    baseUrl: url(env, 'RETELL_BASE_URL'),
    timeoutMs: int(env, 'RETELL_TIMEOUT_MS', 15_000, { min: 100, max: 300_000 }),
    maxRetries: int(env, 'RETELL_MAX_RETRIES', 2, { min: 0, max: 5 }),
    /** Port of the in-process emulator (0 = any free port). */
    emulatorPort: int(env, 'RETELL_EMULATOR_PORT', 0, { min: 0, max: 65535 }),
    /** How fast the emulator's calls unfold: `human` (seconds, for trying it out) or `fast` (tests). */
    emulatorTiming: oneOf(env, 'RETELL_EMULATOR_TIMING', ['human', 'fast'] as const, 'human'),
  };
}

export type RetellConfig = ReturnType<typeof readRetellConfig>;
export const retellConfig = registerAs('retell', () => readRetellConfig());
