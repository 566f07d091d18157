import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { closeApp, createApp } from './app.setup.js';
import { readAppConfig, readAuthConfig, readCallsConfig, readDatabaseConfig, readJobsConfig, readRetellConfig, readWebhooksConfig } from './config/index.js';
import { openDatabase } from './database/database.js';

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  // Validate every namespace up front: a wrong or missing value stops here, naming the variable.
  const appConfig = readAppConfig();
  readAuthConfig();
  readRetellConfig();
  readCallsConfig();
  const role = readJobsConfig().role;
  readWebhooksConfig();
  const database = await openDatabase(readDatabaseConfig(), (message) => console.error(message));
  const app = await createApp({ databaseUrl: database.url });

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.getHttpAdapter().getInstance().log.info({ signal }, 'shutting down');
    // In-flight requests finish, then the emulator and the ORM close, then the embedded database.
    await closeApp(app);
    await database.stop();
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void shutdown(signal));

  await app.listen(appConfig.port, appConfig.host);
  const log = app.getHttpAdapter().getInstance().log;
  log.info(
    `Listening on ${appConfig.publicBaseUrl}${appConfig.swaggerEnabled ? ` — Swagger UI at ${appConfig.publicBaseUrl}/docs` : ''}` +
      (database.embedded ? ' — using the embedded PostgreSQL' : '') +
      (role === 'all' ? '' : ` — APP_ROLE=${role}`),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error && error.name === 'ConfigError' ? error.message : error);
  process.exit(1);
});
