import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
type TestAgent = ReturnType<typeof request>;
import { createApp } from '../../src/app.setup.js';
import { freePort } from '../../src/database/embedded-postgres.js';
import { RetellConnection } from '../../src/retell/retell-client.provider.js';
import type { RetellEmulator } from '../../src/retell/emulator/emulator.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export interface TestApp {
  app: NestFastifyApplication;
  http: TestAgent;
  db: TestDatabase;
  emulator: RetellEmulator;
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * Boots the real application (createApp: same pipeline, guards, filters and migrations as production) on a fresh
 * database and its own in-process Retell emulator, listening on a free port so the emulator's webhooks reach it.
 */
export async function bootTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const saved = { ...process.env };
  Object.assign(process.env, { PORT: String(port), PUBLIC_BASE_URL: baseUrl, HOST: '127.0.0.1' }, env);
  let app: NestFastifyApplication;
  try {
    app = await createApp({ databaseUrl: db.url });
    await app.listen(port, '127.0.0.1');
  } finally {
    process.env = saved;
  }
  const connection = app.get(RetellConnection);
  return {
    app,
    http: request(app.getHttpServer()),
    db,
    get emulator() {
      if (!connection.emulator) throw new Error('tests expect the in-process Retell emulator');
      return connection.emulator;
    },
    baseUrl,
    close: async () => {
      await app.close();
      await db.drop();
    },
  };
}
