import { RetellEmulator } from '@retell-agents/retell-emulator';
import { agentBody } from './support/agents.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startInstance, startInstances, stopInstances, type AppInstance } from './support/instances.js';

const EMULATOR_KEY = 'key_campaign_instances_test_0000000000';
const TARGETS = 40;
const LEASE_SECONDS = 3;

/**
 * An instance dies in the middle of dispatching a campaign: between asking Retell for calls and recording them. The
 * dialler instance (`all`) is SIGKILLed while Retell holds its create-phone-call requests (a latency fault), so the
 * calls are made at Retell but never recorded by it; a worker started afterwards reconciles each unanswered attempt
 * by re-sending its idempotency key once the lease ran out. Result: every target dialled exactly once, none lost.
 * HTTP and Retell's webhooks go to a separate `api` instance, which stays up (agents point their webhook there).
 */
describe('campaign dialer across instances, one killed mid-dispatch (e2e)', () => {
  let db: TestDatabase;
  let emulator: RetellEmulator;
  let instances: AppInstance[] = [];
  let env: Record<string, string> = {};

  beforeAll(async () => {
    db = await createTestDatabase();
    emulator = new RetellEmulator({ apiKey: EMULATOR_KEY, timing: 'fast' });
    const retellUrl = await emulator.start(0);
    env = { RETELL_MODE: 'retell', RETELL_API_KEY: EMULATOR_KEY, RETELL_BASE_URL: retellUrl, DIALER_INTERVAL_MS: '50', DIALER_LEASE_SECONDS: String(LEASE_SECONDS) };
    instances = await startInstances(2, { databaseUrl: db.url, env: (i) => ({ ...env, APP_ROLE: i === 0 ? 'api' : 'all' }) });
  }, 180_000);
  afterAll(async () => {
    await stopInstances(instances);
    await emulator.stop();
    await db.drop();
  }, 60_000);

  it('dials every target exactly once and loses none', async () => {
    const [api, dialler] = instances as [AppInstance, AppInstance];
    const username = `dialler_${Date.now()}`;
    const password = 'correct horse battery staple';
    const send = async (path: string, body: unknown, token?: string) => {
      const response = await fetch(`${api.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json().catch(() => null)) as Record<string, unknown> };
    };
    expect((await send('/auth/register', { username, email: `${username}@example.test`, password })).status).toBe(201);
    const token = (await send('/auth/login', { login: username, password })).body.accessToken as string;
    const agent = (await send('/agents', agentBody(), token)).body as { id: number };
    expect((await send(`/agents/${agent.id}/phone-numbers`, {}, token)).status).toBe(201);
    const numbers = Array.from({ length: TARGETS }, (_, i) => `+1628555${String(1000 + i)}`);
    expect((await send('/contacts/import', numbers.map((phoneNumber) => ({ phoneNumber })), token)).status).toBe(200);
    const ids = (await db.query<{ id: number }>('select id from contacts order by id')).map((row) => row.id);
    const campaign = (
      await send(
        '/campaigns',
        {
          name: 'Survives a crash',
          agentId: agent.id,
          contactIds: ids,
          schedule: { timezone: 'UTC', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '00:00', end: '24:00' }] },
          retry: { maxAttempts: 1, on: [], delayMinutes: 0 },
          maxConcurrency: 10,
        },
        token,
      )
    ).body as { id: number };

    // Retell holds every create-phone-call for 1.5 s before making the call.
    emulator.injectFault({ path: '/v2/create-phone-call', kind: 'latency', latencyMs: 1500, times: 10_000 });
    expect((await send(`/campaigns/${campaign.id}/start`, {}, token)).status).toBe(200);
    // Wait until the dialler has attempts written and asked of Retell, none of them answered yet, then kill it.
    const deadline = Date.now() + 20_000;
    let inFlight = 0;
    while (Date.now() < deadline) {
      [{ n: inFlight }] = (await db.query<{ n: number }>(
        `select count(*)::int as n from campaign_targets where status = 'dialling' and call_id is null and attempt_key is not null`,
      )) as [{ n: number }];
      if (inFlight >= 5) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(inFlight).toBeGreaterThanOrEqual(5);
    await dialler.kill();
    const orphans = await db.query<{ id: number; attempt_key: string }>(
      `select id, attempt_key from campaign_targets where status = 'dialling' and call_id is null`,
    );
    expect(orphans.length).toBeGreaterThanOrEqual(5);
    // Retell makes the calls of the dead instance's requests after the latency.
    await new Promise((r) => setTimeout(r, 1800));
    emulator.clearFaults();

    // A worker joins; once the leases ran out it reconciles the orphaned attempts (same keys) and goes on.
    const worker = await startInstance({ databaseUrl: db.url, env: { ...env, APP_ROLE: 'worker' } }, 2);
    instances.push(worker);
    const finished = Date.now() + 60_000;
    let status = '';
    while (Date.now() < finished) {
      const response = await fetch(`${api.baseUrl}/campaigns/${campaign.id}`, { headers: { authorization: `Bearer ${token}` } });
      status = ((await response.json()) as { status: string }).status;
      if (status === 'completed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe('completed');

    const dials = new Map<string, number>();
    for (const { call } of emulator.state.calls.values()) {
      const to = 'to_number' in call ? call.to_number : undefined;
      if (to) dials.set(to, (dials.get(to) ?? 0) + 1);
    }
    // Exactly one dial per target: none twice (the orphans' keys were re-sent, not new ones), none lost.
    expect(numbers.map((n) => dials.get(n) ?? 0)).toEqual(numbers.map(() => 1));
    const targets = await db.query<{ status: string; outcome: string; attempts: number; history: unknown[] }>(
      'select status, outcome, attempts, history from campaign_targets order by id',
    );
    expect(targets.map((t) => [t.status, t.outcome, t.attempts, t.history.length])).toEqual(targets.map(() => ['done', 'completed', 1, 1]));
    // The orphans' calls are the ones their keys asked for.
    const orphanCalls = await db.query<{ n: number }>(
      `select count(*)::int as n from calls where metadata->>'campaign_target_id' = any($1::text[])`,
      [orphans.map((o) => String(o.id))],
    );
    expect(orphanCalls[0]!.n).toBe(orphans.length);
  }, 150_000);
});
