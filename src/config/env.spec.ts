import { readAppConfig } from './app.config.js';
import { readAuthConfig } from './auth.config.js';
import { readCallsConfig } from './calls.config.js';
import { readDatabaseConfig } from './database.config.js';
import { readRetellConfig } from './retell.config.js';

describe('configuration', () => {
  it('has working defaults', () => {
    const app = readAppConfig({});
    expect(app).toMatchObject({ port: 3000, host: '0.0.0.0', publicBaseUrl: 'http://localhost:3000', swaggerEnabled: true, logLevel: 'info' });
    expect(readDatabaseConfig({})).toMatchObject({ url: undefined, embeddedDir: '.data/postgres', migrateOnStart: true });
    expect(readRetellConfig({})).toMatchObject({ apiKey: undefined, maxRetries: 2, emulatorTiming: 'human', voicesCacheTtlSeconds: 600, toolUrlsAllowPrivate: false });
  });

  it.each([
    [() => readAppConfig({ PORT: 'eighty' }), 'Invalid configuration: PORT must be an integer (got "eighty")'],
    [() => readAppConfig({ PORT: '70000' }), 'Invalid configuration: PORT must be <= 65535 (got 70000)'],
    [() => readAppConfig({ SWAGGER_ENABLED: 'maybe' }), 'Invalid configuration: SWAGGER_ENABLED must be true or false (got "maybe")'],
    [() => readAppConfig({ LOG_LEVEL: 'loud' }), 'Invalid configuration: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")'],
    [() => readAppConfig({ PUBLIC_BASE_URL: 'not a url' }), 'Invalid configuration: PUBLIC_BASE_URL must be a valid URL'],
    [() => readDatabaseConfig({ DATABASE_URL: 'mysql://x@y/z' }), 'Invalid configuration: DATABASE_URL must use postgres: or postgresql:'],
    [() => readAuthConfig({ JWT_SECRET: 'short' }), 'Invalid configuration: JWT_SECRET must be at least 32 characters'],
    [() => readAuthConfig({ NODE_ENV: 'production' }), 'Invalid configuration: JWT_SECRET is required when NODE_ENV=production'],
    // A folder that cannot hold the generated secret (a read-only .data/): a path under a file fails even for root.
    [
      () => readAuthConfig({ DEV_SECRET_FILE: '/dev/null/dev-jwt-secret' }),
      'Invalid configuration: DEV_SECRET_FILE cannot be written (/dev/null/dev-jwt-secret: EEXIST): make its folder writable, or set JWT_SECRET',
    ],
    [() => readDatabaseConfig({ DB_CONNECT_TIMEOUT_MS: '5' }), 'Invalid configuration: DB_CONNECT_TIMEOUT_MS must be >= 100 (got 5)'],
    [() => readRetellConfig({ RETELL_MAX_RETRIES: '9' }), 'Invalid configuration: RETELL_MAX_RETRIES must be <= 5 (got 9)'],
    [() => readCallsConfig({ CALLS_PER_MINUTE_PER_USER: '0' }), 'Invalid configuration: CALLS_PER_MINUTE_PER_USER must be >= 1 (got 0)'],
    [() => readRetellConfig({ RETELL_VOICES_CACHE_TTL_SECONDS: '-1' }), 'Invalid configuration: RETELL_VOICES_CACHE_TTL_SECONDS must be >= 0 (got -1)'],
    [() => readRetellConfig({ TOOL_URLS_ALLOW_PRIVATE: 'sometimes' }), 'Invalid configuration: TOOL_URLS_ALLOW_PRIVATE must be true or false (got "sometimes")'],
    [
      () => readRetellConfig({ TOOL_URLS_ALLOW_PRIVATE: 'true', NODE_ENV: 'production' }),
      'Invalid configuration: TOOL_URLS_ALLOW_PRIVATE must not be true when NODE_ENV=production',
    ],
  ])('stops with a message naming the variable (%#)', (read, message) => {
    expect(read).toThrow(message);
  });
});
