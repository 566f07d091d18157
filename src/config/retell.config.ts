import { registerAs } from '@nestjs/config';
import { int, oneOf, optionalStr, url } from './env.js';
import { readAllowPrivateUrls } from './jobs.config.js';

export function readRetellConfig(env: NodeJS.ProcessEnv = process.env) {
  const apiKey = optionalStr(env, 'RETELL_API_KEY');
  const toolUrlsAllowPrivate = readAllowPrivateUrls(env);
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
    /** How long the voice catalogue (`GET /list-voices`) is reused before it is fetched again. */
    voicesCacheTtlSeconds: int(env, 'RETELL_VOICES_CACHE_TTL_SECONDS', 600, { min: 0, max: 86_400 }),
    /**
     * Development only: let tool and MCP URLs use http and loopback, private or link-local hosts. Off by default, and
     * refused in production: Retell calls these URLs with our account (SSRF).
     */
    toolUrlsAllowPrivate,
  };
}

export type RetellConfig = ReturnType<typeof readRetellConfig>;
export const retellConfig = registerAs('retell', () => readRetellConfig());
