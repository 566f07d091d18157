import { registerAs } from '@nestjs/config';
import { bool, int, oneOf, optionalStr, str, url } from './env.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function readAppConfig(env: NodeJS.ProcessEnv = process.env) {
  const port = int(env, 'PORT', 3000, { min: 0, max: 65535 });
  return {
    env: oneOf(env, 'NODE_ENV', ['development', 'production', 'test'] as const, 'development'),
    host: str(env, 'HOST', '0.0.0.0'),
    port,
    /** Where Retell (and people) reach this app; agents' webhook_url is built from it. */
    publicBaseUrl: url(env, 'PUBLIC_BASE_URL', `http://localhost:${port}`) as string,
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    swaggerEnabled: bool(env, 'SWAGGER_ENABLED', true),
    /** Comma-separated allowed CORS origins; empty means cross-origin browser calls are refused. */
    corsOrigins: (optionalStr(env, 'CORS_ORIGINS') ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 1_048_576, { min: 1024 }),
  };
}

export type AppConfig = ReturnType<typeof readAppConfig>;
export const appConfig = registerAs('app', () => readAppConfig());
