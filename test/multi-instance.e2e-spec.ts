import { RetellEmulator } from '@retell-agents/retell-emulator';
import { agentBody } from './support/agents.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startInstances, stopInstances, type AppInstance } from './support/instances.js';

const LIMIT = 5;

const CALL_CAP = 4;
const EMULATOR_KEY = 'key_multi_instance_test_000000000000';

/**
 * Two real app processes on one database: limits kept in PostgreSQL hold across both. Both talk to ONE Retell (an
 * emulator this test runs, as a deployment's instances share one Retell workspace), so an agent made through one
 * instance can place calls through the other.
 */
describe('two instances on one database (e2e)', () => {
  let db: TestDatabase;
  let emulator: RetellEmulator;
  let instances: AppInstance[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    emulator = new RetellEmulator({ apiKey: EMULATOR_KEY, timing: 'fast' });
    const retellUrl = await emulator.start(0);
    instances = await startInstances(2, {
      databaseUrl: db.url,
      env: { RETELL_MODE: 'retell', RETELL_API_KEY: EMULATOR_KEY, RETELL_BASE_URL: retellUrl, CALLS_PER_MINUTE_PER_USER: String(CALL_CAP) },
    });
  }, 180_000);
  afterAll(async () => {
    await stopInstances(instances);
    await emulator.stop();
    await db.drop();
  }, 60_000);

  const post = (instance: AppInstance, path: string, body: unknown) =>
    fetch(`${instance.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('runs two separate processes, each with its own emulator, on the one database', async () => {
    expect(new Set(instances.map((i) => i.pid)).size).toBe(2);
    for (const instance of instances) expect((await fetch(`${instance.baseUrl}/health`)).status).toBe(200);
  });

  it(`evaluates at most ${LIMIT} of 20 concurrent wrong logins spread over both instances`, async () => {
    const username = `multi_${Date.now()}`;
    const password = 'correct horse battery staple';
    expect((await post(instances[0], '/auth/register', { username, email: `${username}@example.test`, password })).status).toBe(201);
    // A token from one instance works on the other (same secret, same database).
    const loggedIn = (await (await post(instances[0], '/auth/login', { login: username, password })).json()) as { accessToken: string };
    const me = await fetch(`${instances[1].baseUrl}/users/me`, { headers: { authorization: `Bearer ${loggedIn.accessToken}` } });
    expect(me.status).toBe(200);

    // Half the guesses by username, half by e-mail: one account, one counter.
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => post(instances[i % 2], '/auth/login', { login: i % 4 < 2 ? username : `${username}@example.test`, password: 'wrong password!!' })),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20 - LIMIT);
    const [row] = await db.query<{ total: number }>('select coalesce(sum(attempts), 0)::int as total from login_attempts');
    expect(row.total).toBe(LIMIT);
    // Both instances refuse further guesses, the right password included, until the window ends.
    for (const instance of instances) expect((await post(instance, '/auth/login', { login: username, password })).status).toBe(429);
  });

  it(`places exactly the call cap (${CALL_CAP}) of 16 concurrent calls spread over both instances`, async () => {
    const username = `caller_${Date.now()}`;
    const password = 'correct horse battery staple';
    expect((await post(instances[0], '/auth/register', { username, email: `${username}@example.test`, password })).status).toBe(201);
    const { accessToken } = (await (await post(instances[0], '/auth/login', { login: username, password })).json()) as { accessToken: string };
    const as = (instance: AppInstance, path: string, body: unknown) =>
      fetch(`${instance.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
        body: JSON.stringify(body),
      });
    const agent = (await (await as(instances[0], '/agents', agentBody())).json()) as { id: number };
    expect((await as(instances[1], `/agents/${agent.id}/phone-numbers`, {})).status).toBe(201);

    const before = emulator.state.calls.size;
    const responses = await Promise.all(Array.from({ length: 16 }, (_, i) => as(instances[i % 2], `/agents/${agent.id}/calls`, { toNumber: '+14155559999' })));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(CALL_CAP);
    expect(statuses.filter((s) => s === 429)).toHaveLength(16 - CALL_CAP);
    expect(emulator.state.calls.size - before).toBe(CALL_CAP);
    await emulator.waitForIdle();
  });
});
