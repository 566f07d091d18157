import { defineConfig } from '@mikro-orm/postgresql';
import { ReflectMetadataProvider } from '@mikro-orm/decorators/legacy';
import { Migrator } from '@mikro-orm/migrations';
import { MIGRATIONS } from '../../migrations/index.js';
import { ENTITIES } from './entities.js';

/** The one place the ORM is configured: used by the app, the tests and the MikroORM CLI. */
export function ormOptions(options: { url: string; poolMax?: number; debug?: boolean; connectTimeoutMs?: number; quietMigrations?: boolean }) {
  return defineConfig({
    clientUrl: withUtcSessions(options.url),
    entities: ENTITIES,
    metadataProvider: ReflectMetadataProvider,
    extensions: [Migrator],
    forceUtcTimezone: true,
    allowGlobalContext: false,
    debug: options.debug ?? false,
    // Its lines go into JSON logs (the migrator's "[migrator] Applied …"): no ANSI colour escapes in them.
    colors: false,
    pool: { min: 0, max: options.poolMax ?? 10 },
    driverOptions: { connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000 },
    // A missing database is created (and logged) or refused by openDatabase's check, never silently here.
    ensureDatabase: false,
    migrations: {
      tableName: 'mikro_orm_migrations',
      path: 'migrations',
      pathTs: 'migrations',
      migrationsList: MIGRATIONS,
      transactional: true,
      allOrNothing: true,
      snapshot: true,
      snapshotName: '.snapshot',
      snapshotOnMigrate: false,
      // The app logs one line naming what it applied (MigrationRunner) instead of two per migration; the CLI keeps them.
      silent: options.quietMigrations ?? false,
    },
  });
}

/**
 * Columns are `timestamp without time zone` (as in the seed) and hold UTC. Sessions run in UTC so that database-side
 * `current_timestamp` (column defaults, the updated_at trigger) agrees with what the ORM writes.
 */
function withUtcSessions(url: string): string {
  const parsed = new URL(url);
  if (!parsed.searchParams.has('options')) parsed.searchParams.set('options', '-c timezone=UTC');
  return parsed.toString();
}
