import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { registerAs } from '@nestjs/config';
import { ConfigError, int, optionalStr, str } from './env.js';

const MIN_SECRET_LENGTH = 32;

/**
 * In production JWT_SECRET is required. Elsewhere a random secret is generated once and kept in the git-ignored
 * data folder, so `npm start` works on a fresh machine and tokens survive restarts.
 */
function jwtSecret(env: NodeJS.ProcessEnv, nodeEnv: string): string {
  const configured = optionalStr(env, 'JWT_SECRET');
  if (configured !== undefined) {
    if (configured.length < MIN_SECRET_LENGTH) {
      throw new ConfigError('JWT_SECRET', `must be at least ${MIN_SECRET_LENGTH} characters`);
    }
    return configured;
  }
  if (nodeEnv === 'production') throw new ConfigError('JWT_SECRET', 'is required when NODE_ENV=production');
  const file = str(env, 'DEV_SECRET_FILE', '.data/dev-jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(48).toString('base64url');
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, secret, { mode: 0o600 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigError('DEV_SECRET_FILE', `cannot be written (${file}: ${code}): make its folder writable, or set JWT_SECRET`);
  }
  return secret;
}

export function readAuthConfig(env: NodeJS.ProcessEnv = process.env) {
  const nodeEnv = env.NODE_ENV ?? 'development';
  return {
    jwtSecret: jwtSecret(env, nodeEnv),
    jwtIssuer: str(env, 'JWT_ISSUER', 'retell-agents-backend'),
    jwtAudience: str(env, 'JWT_AUDIENCE', 'retell-agents-api'),
    accessTokenTtlSeconds: int(env, 'JWT_ACCESS_TTL_SECONDS', 900, { min: 30, max: 86_400 }),
    refreshTokenTtlSeconds: int(env, 'REFRESH_TOKEN_TTL_SECONDS', 30 * 86_400, { min: 60 }),
    /** `last_used_at` of an API key is written at most this often. */
    apiKeyTouchIntervalSeconds: int(env, 'API_KEY_TOUCH_INTERVAL_SECONDS', 60, { min: 0 }),
    /** Failed logins per account and client address within a minute before 429. */
    loginAttemptsPerMinute: int(env, 'LOGIN_ATTEMPTS_PER_MINUTE', 5, { min: 1 }),
  };
}

export type AuthConfig = ReturnType<typeof readAuthConfig>;
export const authConfig = registerAs('auth', () => readAuthConfig());
