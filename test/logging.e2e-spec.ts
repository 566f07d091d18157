import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { freePort } from '../src/database/embedded-postgres.js';
import { authHeader, createAgent } from './support/agents.js';
import { bootTestApp, type TestApp } from './support/app.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createApiKey, createUser } from './support/factories.js';

interface LogLine {
  level: number;
  msg?: string;
  context?: string;
  event?: string;
  retellCallId?: string;
  outcome?: string;
}

/**
 * Issue 12, item 8: the log a person reads. The real start-up path (src/main.ts) runs as its own process with
 * LOG_LEVEL=info on a fresh database (so the migrator logs), and a call placed through it reports its Retell events.
 */
describe('the log of a started app', () => {
  let db: TestDatabase;
  let child: ChildProcessWithoutNullStreams;
  let stdout = '';
  let baseUrl: string;

  const lines = () => stdout.split('\n').filter((line) => line.trim() !== '');
  const entries = () => lines().map((line) => JSON.parse(line) as LogLine);
  async function until(what: string, found: () => boolean): Promise<void> {
    for (let i = 0; i < 600 && !found(); i++) {
      if (child.exitCode !== null) throw new Error(`the app exited (${child.exitCode}) before ${what}:\n${stdout}`);
      await sleep(100);
    }
    if (!found()) throw new Error(`no ${what} within 60 s:\n${stdout}`);
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['--conditions=retell-agents-source', '--import', '@swc-node/register/esm-register', 'src/main.ts'], {
      env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'info', PORT: String(port), HOST: '127.0.0.1', PUBLIC_BASE_URL: baseUrl },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    await until('"Listening on" line', () => stdout.includes('Listening on'));
  }, 90_000);

  afterAll(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await db.drop();
  }, 60_000);

  it('starts in a few lines: module and route registration is debug', () => {
    const startUp = entries();
    const noisy = startUp.filter((entry) => ['InstanceLoader', 'RoutesResolver', 'RouterExplorer'].includes(entry.context ?? ''));
    expect(noisy).toEqual([]);
    expect(startUp.length).toBeLessThan(25);
  });

  it('writes JSON lines without ANSI colour escapes (the migrations line included)', () => {
    const all = lines();
    // One line names every migration applied on the fresh database (MikroORM's two lines per migration are off).
    const migrations = entries().filter((entry) => entry.context === 'Migrations' || /\[migrator\]/.test(entry.msg ?? ''));
    expect(migrations).toHaveLength(1);
    expect(migrations[0]!.msg).toMatch(/^applied Migration\d{14}(, Migration\d{14})+$/);
    for (const line of all) {
      expect(() => JSON.parse(line)).not.toThrow();
      expect(line).not.toMatch(/\u001b|\\u001b/);
    }
  });

  it('logs one info line per Retell event received, with the call id and the outcome', async () => {
    const http = request(baseUrl);
    const user = await createUser(http);
    const agent = await createAgent(http, user);
    await http.post(`/agents/${agent.id}/phone-numbers`).set(...authHeader(user)).send({}).expect(201);
    const call = await http.post(`/agents/${agent.id}/calls`).set(...authHeader(user)).send({ toNumber: '+14155559999' }).expect(201);
    const retellCallId = (call.body as { retellCallId: string }).retellCallId;
    const events = () => entries().filter((entry) => entry.context === 'RetellWebhooks' && entry.retellCallId === retellCallId);
    await until('call_analyzed event line', () => events().some((entry) => entry.event === 'call_analyzed'));
    expect(events().map(({ level, event, outcome }) => ({ level, event, outcome }))).toEqual([
      { level: 30, event: 'call_started', outcome: 'applied' },
      { level: 30, event: 'call_ended', outcome: 'applied' },
      { level: 30, event: 'call_analyzed', outcome: 'applied' },
    ]);
  }, 90_000);
});

function b64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Issue 12, item 8: a 401 says which credential failed, or that none was sent. */
describe('401 answers (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const message = async (headers: Record<string, string>) => {
    const response = await t.http.get('/users/me').set(headers).expect(401);
    return (response.body as { message: string }).message;
  };

  it('no credentials: authentication required', async () => {
    expect(await message({})).toBe('Authentication required: send a bearer token or an x-api-key');
  });

  it('a wrong API key: invalid API key', async () => {
    const user = await createUser(t.http);
    const { key } = await createApiKey(t.http, user);
    expect(await message({ 'x-api-key': 'not-a-key' })).toBe('Invalid API key');
    expect(await message({ 'x-api-key': `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}` })).toBe('Invalid API key');
    await t.http.get('/users/me').set('x-api-key', key).expect(200);
  });

  it('a wrong or expired access token: invalid or expired access token', async () => {
    const user = await createUser(t.http);
    const now = Math.floor(Date.now() / 1000);
    const head = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({
      sub: String(user.id), typ: 'access', iss: 'retell-agents-backend', aud: 'retell-agents-api', iat: now - 7200, exp: now - 3600,
    })}`;
    const expired = `${head}.${createHmac('sha256', process.env.JWT_SECRET!).update(head).digest('base64url')}`;
    expect(await message({ authorization: `Bearer ${expired}` })).toBe('Invalid or expired access token');
    expect(await message({ authorization: 'Bearer not.a.jwt' })).toBe('Invalid or expired access token');
    await t.http.get('/users/me').set('authorization', user.bearer).expect(200);
  });
});
