import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request, { type Response } from 'supertest';
type TestAgent = ReturnType<typeof request>;
import { buildOpenApiDocument, closeApp, createApp } from '../../src/app.setup.js';
import { freePort } from '../../src/database/embedded-postgres.js';
import { RetellConnection } from '../../src/retell/retell-client.provider.js';
import type { RetellEmulator } from '@retell-agents/retell-emulator';
import { ContractChecker } from './contract.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export interface TestApp {
  app: NestFastifyApplication;
  http: TestAgent;
  db: TestDatabase;
  emulator: RetellEmulator;
  baseUrl: string;
  /** The OpenAPI document's response schemas; `t.http` checks every response with it. */
  contract: ContractChecker;
  close(): Promise<void>;
}

/**
 * Boots the real application (createApp: same pipeline, guards, filters and migrations as production) on a fresh
 * database and its own in-process Retell emulator, listening on a free port so the emulator's webhooks reach it.
 * `reuse` restarts an app: the same database (which the caller then owns and drops) and the same port.
 */
export async function bootTestApp(env: Record<string, string> = {}, reuse: { db?: TestDatabase; port?: number } = {}): Promise<TestApp> {
  const db = reuse.db ?? (await createTestDatabase());
  const port = reuse.port ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${port}`;
  const saved = { ...process.env };
  Object.assign(process.env, { PORT: String(port), PUBLIC_BASE_URL: baseUrl, HOST: '127.0.0.1' }, env);
  let app: NestFastifyApplication;
  try {
    app = await createApp({ databaseUrl: db.url });
    await app.listen(port, '127.0.0.1');
  } catch (error) {
    if (!reuse.db) await db.drop();
    throw error;
  } finally {
    process.env = saved;
  }
  const connection = app.get(RetellConnection);
  const contract = new ContractChecker(await buildOpenApiDocument(app));
  return {
    app,
    http: checkedAgent(request(app.getHttpServer()), contract),
    contract,
    db,
    get emulator() {
      if (!connection.emulator) throw new Error('tests expect the in-process Retell emulator');
      return connection.emulator;
    },
    baseUrl,
    close: async () => {
      await closeApp(app);
      if (!reuse.db) await db.drop();
    },
  };
}

const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);

/**
 * supertest, with every response checked against the OpenAPI document (see ContractChecker): the check is one more
 * `.expect` on each request, so a response that drifts from the document fails the test that received it.
 */
function checkedAgent(agent: TestAgent, contract: ContractChecker): TestAgent {
  return new Proxy(agent, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof property !== 'string' || !HTTP_METHODS.has(property) || typeof value !== 'function') return value;
      return (url: string, ...rest: unknown[]) => {
        const test = (value as (url: string, ...rest: unknown[]) => ReturnType<TestAgent['get']>).call(target, url, ...rest);
        return test.expect((response: Response) =>
          contract.check({
            method: property,
            url,
            status: response.status,
            contentType: response.headers['content-type'] as string | undefined,
            body: response.body as unknown,
            rawText: response.text ?? '',
          }),
        );
      };
    },
  });
}
