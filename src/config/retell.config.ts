import { registerAs } from '@nestjs/config';
import { bool, ConfigError, int, oneOf, optionalStr, str, url } from './env.js';
import { readAllowPrivateUrls } from './jobs.config.js';

export const RETELL_MODES = ['retell', 'emulator'] as const;
export type RetellMode = (typeof RETELL_MODES)[number];

/** The in-process emulator's port for `npm start`: fixed, so the recording URLs it hands out stay valid across restarts. */
export const DEFAULT_EMULATOR_PORT = 3199;

/**
 * `retell` when RETELL_API_KEY is set, else `emulator` — except in production, where running on the emulator must be
 * asked for (RETELL_MODE=emulator): a deployment that lost its key must not quietly place no calls.
 */
function readMode(env: NodeJS.ProcessEnv, apiKey: string | undefined): RetellMode {
  const explicit = optionalStr(env, 'RETELL_MODE');
  if (explicit === undefined) {
    if (apiKey !== undefined) return 'retell';
    if (env.NODE_ENV === 'production') {
      throw new ConfigError('RETELL_API_KEY', 'is required when NODE_ENV=production (or set RETELL_MODE=emulator to run on the local Retell emulator on purpose)');
    }
    return 'emulator';
  }
  const mode = oneOf(env, 'RETELL_MODE', RETELL_MODES, 'retell');
  if (mode === 'retell' && apiKey === undefined) throw new ConfigError('RETELL_API_KEY', 'is required when RETELL_MODE=retell');
  if (mode === 'emulator' && apiKey !== undefined) {
    throw new ConfigError('RETELL_API_KEY', 'must not be set when RETELL_MODE=emulator (the emulator accepts and signs with its own key)');
  }
  return mode;
}

export function readRetellConfig(env: NodeJS.ProcessEnv = process.env) {
  const apiKey = optionalStr(env, 'RETELL_API_KEY');
  // URLS_ALLOW_PRIVATE, or its old name TOOL_URLS_ALLOW_PRIVATE; refused in production.
  const toolUrlsAllowPrivate = readAllowPrivateUrls(env);
  const mode = readMode(env, apiKey);
  // Tests run many apps at once: each gets its own emulator on a free port, in memory, unless it asks otherwise.
  const isTest = env.NODE_ENV === 'test';
  return {
    /** `retell`: talk to Retell with `apiKey`. `emulator`: start the local Retell emulator in-process. */
    mode,
    /** Set exactly when `mode` is `retell`. */
    apiKey,
    baseUrl: url(env, 'RETELL_BASE_URL'),
    timeoutMs: int(env, 'RETELL_TIMEOUT_MS', 15_000, { min: 100, max: 300_000 }),
    maxRetries: int(env, 'RETELL_MAX_RETRIES', 2, { min: 0, max: 5 }),
    /** Port of the in-process emulator (0 = any free port). */
    emulatorPort: int(env, 'RETELL_EMULATOR_PORT', isTest ? 0 : DEFAULT_EMULATOR_PORT, { min: 0, max: 65535 }),
    /** How fast the emulator's calls unfold: `human` (seconds, for trying it out) or `fast` (tests). */
    emulatorTiming: oneOf(env, 'RETELL_EMULATOR_TIMING', ['human', 'fast'] as const, 'human'),
    /** The in-process emulator's workspace concurrency limit (Retell's pay-as-you-go default is 20). */
    emulatorConcurrencyLimit: int(env, 'RETELL_EMULATOR_CONCURRENCY_LIMIT', 20, { min: 0, max: 100_000 }),
    /** How long the in-process emulator's connected calls talk, in ms; undefined = the timing's own (fast 20 ms, human 15 s). */
    emulatorCallDurationMs: optionalStr(env, 'RETELL_EMULATOR_CALL_DURATION_MS') === undefined ? undefined : int(env, 'RETELL_EMULATOR_CALL_DURATION_MS', 0, { min: 0, max: 7_200_000 }),
    /** Where the in-process emulator keeps its workspace across restarts; undefined = memory only. */
    emulatorStateDir: bool(env, 'RETELL_EMULATOR_PERSIST', !isTest) ? str(env, 'RETELL_EMULATOR_STATE_DIR', '.data/retell-emulator') : undefined,
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
