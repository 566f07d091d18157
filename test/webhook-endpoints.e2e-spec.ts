import { bootTestApp, type TestApp } from './support/app.js';
import { authHeader, createAgent, type AgentBody } from './support/agents.js';
import { createUser, type TestUser } from './support/factories.js';
import { eventually, verify, WebhookReceiver } from './support/webhook-receiver.js';

const TEST_ENV = { URLS_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_SCHEDULE_SECONDS: '1,1,1', WEBHOOK_TIMEOUT_MS: '3000', EVENTS_RELAY_INTERVAL_MS: '50' };

describe('Partner webhooks (e2e)', () => {
  let t: TestApp;
  let alice: TestUser;
  let agent: AgentBody;
  const receivers: WebhookReceiver[] = [];

  const receiver = async () => {
    const r = new WebhookReceiver();
    receivers.push(r);
    return { r, url: await r.start() };
  };
  const createEndpoint = async (caller: TestUser, body: Record<string, unknown>) =>
    (await t.http.post('/webhook-endpoints').set(...authHeader(caller)).send(body).expect(201)).body as { id: number; secret: string };

  beforeAll(async () => {
    t = await bootTestApp(TEST_ENV);
    alice = await createUser(t.http);
    agent = await createAgent(t.http, alice);
    await t.http.post(`/agents/${agent.id}/phone-numbers`).set(...authHeader(alice)).send({}).expect(201);
  });
  afterAll(async () => {
    await t.close();
    await Promise.all(receivers.map((r) => r.stop()));
  });

  it('delivers call.started, call.ended and call.analyzed of a call placed through the API, signed, with GET /calls/:id data', async () => {
    const { r, url } = await receiver();
    const endpoint = await createEndpoint(alice, { url, description: 'CRM', eventTypes: ['call.started', 'call.ended', 'call.analyzed'] });
    expect(endpoint.secret).toMatch(/^whsec_/);

    const call = (await t.http.post(`/agents/${agent.id}/calls`).set(...authHeader(alice)).send({ toNumber: '+14155559999' }).expect(201)).body;
    await t.emulator.waitForIdle();
    await eventually(() => r.accepted.length >= 3, 30_000, 'three deliveries');

    for (const received of r.received) verify(endpoint.secret, received);
    const byType = Object.fromEntries(r.received.map((x) => [x.json.type, x.json]));
    expect(Object.keys(byType).sort()).toEqual(['call.analyzed', 'call.ended', 'call.started']);
    expect(byType['call.started']!.data).toMatchObject({ id: call.id, status: 'ongoing' });
    expect(byType['call.ended']!.data).toMatchObject({ id: call.id, status: 'ended' });
    const detail = (await t.http.get(`/calls/${call.id}`).set(...authHeader(alice)).expect(200)).body;
    // call.analyzed is the call's last change: its data is what GET /calls/:id answers now.
    expect(byType['call.analyzed']!.data).toEqual(detail);
    for (const received of r.received) expect(received.headers['webhook-id']).toBe(String(received.json.id));

    const events = (await t.http.get('/events').query({ type: 'call.ended' }).set(...authHeader(alice)).expect(200)).body;
    expect(events.items[0]).toEqual(byType['call.ended']);
  });
});
