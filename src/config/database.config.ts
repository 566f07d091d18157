import { registerAs } from '@nestjs/config';
import { bool, int, str, url } from './env.js';

export function readDatabaseConfig(env: NodeJS.ProcessEnv = process.env) {
  return {
    /** External PostgreSQL; when unset an embedded PostgreSQL is started. */
    url: url(env, 'DATABASE_URL', undefined, ['postgres:', 'postgresql:']),
    embeddedDir: str(env, 'EMBEDDED_PG_DIR', '.data/postgres'),
    embeddedPort: int(env, 'EMBEDDED_PG_PORT', 0, { min: 0, max: 65535 }),
    migrateOnStart: bool(env, 'DB_MIGRATE_ON_START', true),
    /** How long a connection attempt may take before it counts as failed (start-up check and pool). */
    connectTimeoutMs: int(env, 'DB_CONNECT_TIMEOUT_MS', 10_000, { min: 100, max: 600_000 }),
    poolMax: int(env, 'DB_POOL_MAX', 10, { min: 1, max: 200 }),
    debugSql: bool(env, 'DB_DEBUG_SQL', false),
  };
}

export type DatabaseConfig = ReturnType<typeof readDatabaseConfig>;
export const databaseConfig = registerAs('database', () => readDatabaseConfig());
