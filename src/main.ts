import 'reflect-metadata';
import { existsSync } from 'node:fs';
import {
  readAppConfig,
  readAuthConfig,
  readCallsConfig,
  readDatabaseConfig,
  readJobsConfig,
  readRetellConfig,
  readWebhooksConfig,
  StartupError,
} from './config/index.js';
import { openDatabase, type DatabaseServer } from './database/database.js';

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  // Validate every namespace up front: a wrong or missing value stops here, naming the variable.
  const appConfig = readAppConfig();
  readAuthConfig();
  readRetellConfig();
  readCallsConfig();
  const role = readJobsConfig().role;
  readWebhooksConfig();
  const database = await openDatabase(readDatabaseConfig(), {
    log: (message) => console.error(message),
    production: appConfig.env === 'production',
  });
  try {
    await serve(database, appConfig, role);
  } catch (error) {
    await database.stop().catch(() => undefined);
    throw error;
  }
}

async function serve(database: DatabaseServer, appConfig: ReturnType<typeof readAppConfig>, role: string): Promise<void> {
  // Loaded only once the configuration and the database are known to be good: those failures come in well under a
  // second, without first loading the whole framework.
  const { closeApp, createApp } = await import('./app.setup.js');
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

  try {
    await app.listen(appConfig.port, appConfig.host);
  } catch (error) {
    await closeApp(app).catch(() => undefined);
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new StartupError(
        `PORT ${appConfig.port} is already in use on ${appConfig.host} — is another \`npm start\` running? Stop it, or set PORT to a free port.`,
      );
    }
    throw error;
  }
  const log = app.getHttpAdapter().getInstance().log;
  log.info(
    `Listening on ${appConfig.publicBaseUrl}${appConfig.swaggerEnabled ? ` — Swagger UI at ${appConfig.publicBaseUrl}/docs` : ''}` +
      (database.embedded ? ' — using the embedded PostgreSQL' : '') +
      (role === 'all' ? '' : ` — APP_ROLE=${role}`),
  );
}

main().catch((error: unknown) => {
  const known = error instanceof Error && (error.name === 'ConfigError' || error.name === 'StartupError');
  console.error(known ? error.message : error);
  process.exit(1);
});
