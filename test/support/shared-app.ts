import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { closeApp, createApp } from '../../src/app.setup.js';
import { freePort } from '../../src/database/embedded-postgres.js';

/** A second in-process instance on an existing database (bootTestApp always makes a fresh one). */
export async function bootInstance(databaseUrl: string, env: Record<string, string>) {
  const port = await freePort();
  const saved = { ...process.env };
  Object.assign(process.env, { PORT: String(port), PUBLIC_BASE_URL: `http://127.0.0.1:${port}`, HOST: '127.0.0.1' }, env);
  let app: NestFastifyApplication;
  try {
    app = await createApp({ databaseUrl });
    await app.listen(port, '127.0.0.1');
  } finally {
    process.env = saved;
  }
  return { app, http: request(app.getHttpServer()), close: () => closeApp(app) };
}
