import { bootTestApp, type TestApp } from './support/app.js';
import { authHeader, createAgent } from './support/agents.js';
import { createUser } from './support/factories.js';

/**
 * Every spending cap holds under concurrency: slots are taken atomically in PostgreSQL before Retell is asked, so
 * concurrent requests get exactly the cap, and Retell (the emulator) places exactly that many.
 */
describe('spending caps under concurrency (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootTestApp({ CALLS_PER_MINUTE_PER_USER: '10', WEB_CALLS_PER_MINUTE_PER_USER: '3', PHONE_NUMBER_PURCHASES_PER_DAY_PER_USER: '3' });
  });
  afterAll(async () => {
    await t.emulator.waitForIdle();
    await t.close();
  });

  async function tenantWithNumber() {
    const user = await createUser(t.http);
    const agent = await createAgent(t.http, user);
    await t.http.post(`/agents/${agent.id}/phone-numbers`).set(...authHeader(user)).send({}).expect(201);
    return { user, agent };
  }
  const statuses = (responses: Array<{ status: number }>) => responses.map((r) => r.status).sort();

  it('30 concurrent calls with distinct Idempotency-Keys: exactly the cap (10) placed at Retell, the rest 429', async () => {
    const { user, agent } = await tenantWithNumber();
    const before = t.emulator.state.calls.size;
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        t.http.post(`/agents/${agent.id}/calls`).set(...authHeader(user)).set('idempotency-key', `cap-${i}`).send({ toNumber: '+14155559999' }),
      ),
    );
    expect(statuses(responses)).toEqual([...Array(10).fill(201), ...Array(20).fill(429)]);
    expect(t.emulator.state.calls.size - before).toBe(10);
    for (const over of responses.filter((r) => r.status === 429)) expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    const listed = await t.http.get('/calls?limit=100').set(...authHeader(user)).expect(200);
    expect(listed.body.items).toHaveLength(10);
  });

  it('the same Idempotency-Key 20 times at once dials once', async () => {
    const { user, agent } = await tenantWithNumber();
    const before = t.emulator.state.calls.size;
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => t.http.post(`/agents/${agent.id}/calls`).set(...authHeader(user)).set('idempotency-key', 'one-key').send({ toNumber: '+14155559998' })),
    );
    expect(t.emulator.state.calls.size - before).toBe(1);
    const created = responses.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.body.retellCallId)).size).toBe(1);
    expect(responses.every((r) => r.status === 201 || r.status === 409)).toBe(true);
  });

  it('web calls have their own cap (3): 8 at once start exactly 3', async () => {
    const user = await createUser(t.http);
    const agent = await createAgent(t.http, user);
    const before = t.emulator.state.calls.size;
    const responses = await Promise.all(Array.from({ length: 8 }, () => t.http.post(`/agents/${agent.id}/web-calls`).set(...authHeader(user)).send({})));
    expect(statuses(responses)).toEqual([...Array(3).fill(201), ...Array(5).fill(429)]);
    expect(t.emulator.state.calls.size - before).toBe(3);
  });

  it('number purchases have their own cap (3 a day): 6 at once buy exactly 3', async () => {
    const user = await createUser(t.http);
    const agent = await createAgent(t.http, user);
    const before = t.emulator.state.phoneNumbers.size;
    const responses = await Promise.all(Array.from({ length: 6 }, () => t.http.post(`/agents/${agent.id}/phone-numbers`).set(...authHeader(user)).send({})));
    expect(statuses(responses)).toEqual([...Array(3).fill(201), ...Array(3).fill(429)]);
    expect(t.emulator.state.phoneNumbers.size - before).toBe(3);
  });

  it('gives the slot back when Retell refused the create (nothing was placed)', async () => {
    const capped = await bootTestApp({ CALLS_PER_MINUTE_PER_USER: '1' });
    try {
      const user = await createUser(capped.http);
      const agent = await createAgent(capped.http, user);
      await capped.http.post(`/agents/${agent.id}/phone-numbers`).set(...authHeader(user)).send({}).expect(201);
      capped.emulator.injectFault({ path: '/v2/create-phone-call', kind: 'status', status: 500 });
      await capped.http.post(`/agents/${agent.id}/calls`).set(...authHeader(user)).send({ toNumber: '+14155559999' }).expect(502);
      await capped.http.post(`/agents/${agent.id}/calls`).set(...authHeader(user)).send({ toNumber: '+14155559999' }).expect(201);
      await capped.http.post(`/agents/${agent.id}/calls`).set(...authHeader(user)).send({ toNumber: '+14155559999' }).expect(429);
      await capped.emulator.waitForIdle();
    } finally {
      await capped.close();
    }
  });
});

/**
 * One tenant's slow Retell cannot take the pool: changes that talk to Retell hold no transaction, row lock or pooled
 * connection while Retell answers, so another tenant's reads go on.
 */
describe('a slow Retell stalls no other tenant (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootTestApp({ DB_POOL_MAX: '10', RETELL_TIMEOUT_MS: '20000' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('20 concurrent agent edits waiting 5 s each on Retell leave another tenant’s GET /agents/:id p99 under 1 s', async () => {
    const slow = await createUser(t.http);
    const agents = [];
    for (let i = 0; i < 4; i++) agents.push(...(await Promise.all(Array.from({ length: 5 }, () => createAgent(t.http, slow)))));
    const other = await createUser(t.http);
    const theirs = await createAgent(t.http, other);

    t.emulator.injectFault({ path: '/update-agent', kind: 'latency', latencyMs: 5000, times: 20 });
    const edits = Promise.all(agents.map((agent, i) => t.http.patch(`/agents/${agent.id}`).set(...authHeader(slow)).send({ name: `renamed ${i}` })));
    // Wait until every edit is waiting on Retell.
    for (let waited = 0; t.emulator.faults.length > 0 && t.emulator.faults[0].remaining > 0 && waited < 30_000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(t.emulator.faults).toHaveLength(0);

    // No session of the app is inside a transaction while Retell is slow.
    const held = await t.db.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity where datname = current_database() and state like 'idle in transaction%'`,
    );
    expect(held[0].n).toBe(0);

    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = Date.now();
      await t.http.get(`/agents/${theirs.id}`).set(...authHeader(other)).expect(200);
      latencies.push(Date.now() - started);
    }
    latencies.sort((a, b) => a - b);
    expect(latencies[Math.ceil(latencies.length * 0.99) - 1]).toBeLessThan(1000);

    const done = await edits;
    expect(done.map((r) => r.status)).toEqual(Array(20).fill(200));
    const renamed = await Promise.all(agents.map((agent) => t.http.get(`/agents/${agent.id}`).set(...authHeader(slow)).expect(200)));
    expect(renamed.map((r) => r.body.name)).toEqual(agents.map((_, i) => `renamed ${i}`));
  });

  it('two concurrent tool changes of one agent both land, at Retell and here (serialised by the edit lease)', async () => {
    const user = await createUser(t.http);
    const agent = await createAgent(t.http, user);
    t.emulator.injectFault({ path: '/update-retell-llm', kind: 'latency', latencyMs: 300, times: 2 });
    const tool = (name: string) => ({ toolType: 'end_call', toolConfig: { name, description: 'bye' } });
    const [a, b] = await Promise.all([
      t.http.post(`/agents/${agent.id}/tools`).set(...authHeader(user)).send(tool('bye_a')),
      t.http.post(`/agents/${agent.id}/tools`).set(...authHeader(user)).send(tool('bye_b')),
    ]);
    expect([a.status, b.status]).toEqual([201, 201]);
    const [{ retell_llm_id: llmId }] = await t.db.query<{ retell_llm_id: string }>('select retell_llm_id from llm_configurations where agent_id = $1', [agent.id]);
    const remote = t.emulator.state.llms.get(llmId)!;
    const names = (remote.versions.at(-1)!.config.general_tools as Array<{ name: string }>).map((tool) => tool.name).sort();
    expect(names).toEqual(['bye_a', 'bye_b', 'end_call']);
  });
});
