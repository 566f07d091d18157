import { createUser, type TestUser } from './support/factories.js';
import { bootTestApp, type TestApp } from './support/app.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startInstance, type AppInstance } from './support/instances.js';
import { eventually, verify, WebhookReceiver } from './support/webhook-receiver.js';

/**
 * Several instances on one database: an `api` instance in this process (HTTP only, no workers) and `worker` processes
 * started and killed by their process group. Timings are bounded polls with room for a loaded machine.
 */
const ENV = {
  URLS_ALLOW_PRIVATE: 'true',
  WEBHOOK_TIMEOUT_MS: '2000',
  WEBHOOK_RETRY_SCHEDULE_SECONDS: '1,1,1',
  JOBS_SUPERVISE_INTERVAL_SECONDS: '1',
  EVENTS_RELAY_INTERVAL_MS: '50',
  // Equal on every instance: the key that encrypts endpoint signing secrets is derived from it.
  JWT_SECRET: 'webhook-instances-test-secret-long-enough-for-hs256-0123456789',
};

describe('several instances on one database (e2e)', () => {
  let db: TestDatabase;
  let api: TestApp;
  let user: TestUser;
  const workers: AppInstance[] = [];
  const receivers: WebhookReceiver[] = [];

  const worker = async () => {
    const started = await startInstance({ databaseUrl: db.url, env: { ...ENV, APP_ROLE: 'worker' } }, workers.length + 1);
    workers.push(started);
    return started;
  };
  const endpointFor = async (respond: WebhookReceiver['respond']) => {
    const r = new WebhookReceiver();
    receivers.push(r);
    r.respond = respond;
    const url = await r.start();
    const endpoint = (await api.http.post('/webhook-endpoints').set('authorization', user.bearer).send({ url }).expect(201)).body as { id: number; secret: string };
    return { r, endpoint };
  };
  const ping = async (endpointId: number) =>
    (await api.http.post(`/webhook-endpoints/${endpointId}/test`).set('authorization', user.bearer).expect(202)).body as { id: number };
  const deliveries = async (endpointId: number) =>
    (await api.http.get(`/webhook-endpoints/${endpointId}/deliveries`).query({ limit: 100 }).set('authorization', user.bearer).expect(200)).body.items as Array<{
      status: string;
      attempts: number;
    }>;

  beforeAll(async () => {
    db = await createTestDatabase();
    api = await bootTestApp({ ...ENV, APP_ROLE: 'api' }, { db });
    user = await createUser(api.http);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await api?.close();
    await Promise.all(receivers.map((r) => r.stop()));
    await db?.drop();
  }, 60_000);

  it('an api instance enqueues but runs nothing; a worker killed mid-delivery is replaced by another, which delivers it', async () => {
    const { r, endpoint } = await endpointFor((n) => (n === 1 ? 0 : 200));
    const event = await ping(endpoint.id);
    const [row] = await db.query<{ dispatched: boolean }>('select dispatched_at is not null as dispatched from events where id = $1', [event.id]);
    expect(row!.dispatched).toBe(false);

    const first = await worker();
    // A worker answers /health only.
    expect((await fetch(`${first.baseUrl}/health`)).status).toBe(200);
    expect((await fetch(`${first.baseUrl}/agents`)).status).toBe(404);
    await eventually(() => r.received.length === 1, 60_000, 'the first attempt to reach the receiver');
    await first.kill();

    await worker();
    await eventually(() => r.accepted.length === 1, 90_000, 'the other instance to deliver it');
    expect(r.received.map((x) => x.json.id)).toEqual([event.id, event.id]);
    for (const received of r.received) verify(endpoint.secret, received);
    expect(await deliveries(endpoint.id)).toEqual([expect.objectContaining({ status: 'succeeded', attempts: 2 })]);
  }, 240_000);

  it('two workers share the work: every event delivered once, none lost', async () => {
    await worker();
    const { r, endpoint } = await endpointFor(() => 204);
    const sent = [];
    for (let i = 0; i < 40; i += 1) sent.push((await ping(endpoint.id)).id);
    await eventually(() => r.accepted.length >= sent.length, 90_000, 'all 40 deliveries');
    const ids = r.received.map((x) => x.json.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(sent);
    for (const received of r.received) verify(endpoint.secret, received);
    const all = await deliveries(endpoint.id);
    expect(all).toHaveLength(40);
    expect(all.every((d) => d.status === 'succeeded' && d.attempts === 1)).toBe(true);
  }, 240_000);
});
