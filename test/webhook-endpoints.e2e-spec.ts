import { jest } from '@jest/globals';
import { bootTestApp, type TestApp } from './support/app.js';
import { authHeader, createAgent, customTool, type AgentBody } from './support/agents.js';
import { createUser, type TestUser } from './support/factories.js';
import { EventsRetention } from '../src/events/events-retention.js';
import { eventually, verify, WebhookReceiver } from './support/webhook-receiver.js';

// Deliveries, retries and relays are awaited with bounded polls of up to 30 s each; a test may need a few on a loaded
// machine, so the per-test limit is above jest's default.
jest.setTimeout(120_000);

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

  const place = async (toNumber = '+14155559999') =>
    (await t.http.post(`/agents/${agent.id}/calls`).set(...authHeader(alice)).send({ toNumber }).expect(201)).body as { id: number };
  const deliveriesOf = async (caller: TestUser, endpointId: number) =>
    (await t.http.get(`/webhook-endpoints/${endpointId}/deliveries`).set(...authHeader(caller)).expect(200)).body.items as Array<Record<string, unknown>>;

  it('retries a failing receiver per the schedule: fails twice, gets the event on the third attempt, same webhook-id', async () => {
    const { r, url } = await receiver();
    r.respond = (n) => (n <= 2 ? 500 : 200);
    const endpoint = await createEndpoint(alice, { url, eventTypes: ['call.ended'] });
    const call = await place();
    await t.emulator.waitForIdle();
    await eventually(() => r.accepted.length === 1, 30_000, 'the third attempt');

    expect(r.received.map((x) => x.status)).toEqual([500, 500, 200]);
    expect(new Set(r.received.map((x) => x.headers['webhook-id'])).size).toBe(1);
    for (const received of r.received) verify(endpoint.secret, received);
    expect(r.received[2]!.json).toMatchObject({ type: 'call.ended', data: { id: call.id, status: 'ended' } });
    const [delivery] = await deliveriesOf(alice, endpoint.id);
    expect(delivery).toMatchObject({ eventType: 'call.ended', status: 'succeeded', attempts: 3, lastStatusCode: 200, lastError: null, nextAttemptAt: null });
  });

  it('marks a delivery failed once the schedule is spent, and retries it on request', async () => {
    const { r, url } = await receiver();
    r.respond = () => 503;
    const endpoint = await createEndpoint(alice, { url });
    await t.http.post(`/webhook-endpoints/${endpoint.id}/test`).set(...authHeader(alice)).expect(202);
    const failed = await eventually(async () => (await deliveriesOf(alice, endpoint.id)).find((d) => d.status === 'failed'), 30_000, 'a failed delivery');
    // 1 attempt + 3 retries (WEBHOOK_RETRY_SCHEDULE_SECONDS=1,1,1), then nothing more.
    expect(failed).toMatchObject({ eventType: 'ping', attempts: 4, lastStatusCode: 503, lastError: 'HTTP 503', nextAttemptAt: null });
    expect(r.received).toHaveLength(4);

    r.respond = () => 200;
    const retried = await t.http.post(`/webhook-endpoints/${endpoint.id}/deliveries/${failed.id}/retry`).set(...authHeader(alice)).expect(202);
    expect(retried.body).toMatchObject({ id: failed.id, status: 'pending' });
    await eventually(() => r.accepted.length === 1, 30_000, 'the manual retry');
    expect(await deliveriesOf(alice, endpoint.id)).toEqual([expect.objectContaining({ id: failed.id, status: 'succeeded', attempts: 5 })]);
    expect(r.accepted[0]!.json).toMatchObject({ type: 'ping', data: { webhookEndpointId: endpoint.id } });
  });

  it('signs with both secrets during a rotation overlap', async () => {
    const { r, url } = await receiver();
    const endpoint = await createEndpoint(alice, { url });
    const rotated = (await t.http.post(`/webhook-endpoints/${endpoint.id}/rotate-secret`).set(...authHeader(alice)).expect(200)).body;
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(endpoint.secret);
    expect(new Date(rotated.previousSecretExpiresAt).getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
    await t.http.post(`/webhook-endpoints/${endpoint.id}/test`).set(...authHeader(alice)).expect(202);
    await eventually(() => r.accepted.length === 1, 30_000, 'the ping');
    const [received] = r.received;
    expect(String(received!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    verify(endpoint.secret, received!);
    verify(rotated.secret, received!);
    expect(() => verify('whsec_' + Buffer.alloc(32, 1).toString('base64'), received!)).toThrow();
  });

  it("another tenant's endpoint receives nothing of alice's, and alice's resources are 404 to it", async () => {
    const bob = await createUser(t.http);
    const { r: bobs, url: bobUrl } = await receiver();
    const bobEndpoint = await createEndpoint(bob, { url: bobUrl });
    const { r: alices, url } = await receiver();
    const aliceEndpoint = await createEndpoint(alice, { url, eventTypes: ['call.ended'] });
    await place();
    await t.emulator.waitForIdle();
    await eventually(() => alices.accepted.length === 1, 30_000, "alice's delivery");
    // Bob's own ping goes through the same relay after alice's events: once it is in, alice's would be too.
    await t.http.post(`/webhook-endpoints/${bobEndpoint.id}/test`).set(...authHeader(bob)).expect(202);
    await eventually(() => bobs.accepted.length === 1, 30_000, "bob's ping");
    expect(bobs.received.map((x) => x.json.type)).toEqual(['ping']);

    const aliceEvent = alices.received[0]!.json.id;
    const delivery = (await deliveriesOf(alice, aliceEndpoint.id))[0]!;
    await t.http.get(`/webhook-endpoints/${aliceEndpoint.id}`).set(...authHeader(bob)).expect(404);
    await t.http.patch(`/webhook-endpoints/${aliceEndpoint.id}`).set(...authHeader(bob)).send({ isActive: false }).expect(404);
    await t.http.delete(`/webhook-endpoints/${aliceEndpoint.id}`).set(...authHeader(bob)).expect(404);
    await t.http.post(`/webhook-endpoints/${aliceEndpoint.id}/rotate-secret`).set(...authHeader(bob)).expect(404);
    await t.http.post(`/webhook-endpoints/${aliceEndpoint.id}/test`).set(...authHeader(bob)).expect(404);
    await t.http.get(`/webhook-endpoints/${aliceEndpoint.id}/deliveries`).set(...authHeader(bob)).expect(404);
    await t.http.post(`/webhook-endpoints/${bobEndpoint.id}/deliveries/${delivery.id}/retry`).set(...authHeader(bob)).expect(404);
    await t.http.get(`/events/${aliceEvent}`).set(...authHeader(bob)).expect(404);
    expect((await t.http.get('/events').set(...authHeader(bob)).expect(200)).body.items.map((e: { type: string }) => e.type)).toEqual(['ping']);
    expect((await t.http.get('/webhook-endpoints').set(...authHeader(bob)).expect(200)).body.items.map((e: { id: number }) => e.id)).toEqual([bobEndpoint.id]);
    // Naming alice's agent in bob's filter is refused like a missing agent.
    const refused = await t.http.post('/webhook-endpoints').set(...authHeader(bob)).send({ url: bobUrl, agentIds: [agent.id] }).expect(400);
    expect(refused.body.details).toEqual([{ field: 'agentIds', messages: [`no such agent: ${agent.id}`] }]);
  });

  it('filters by agent: an endpoint for another agent of the same tenant gets nothing of this one', async () => {
    const other = await createAgent(t.http, alice);
    const { r: otherR, url: otherUrl } = await receiver();
    const forOther = await createEndpoint(alice, { url: otherUrl, agentIds: [other.id], eventTypes: ['call.started', 'call.ended', 'call.analyzed'] });
    const { r, url } = await receiver();
    await createEndpoint(alice, { url, agentIds: [agent.id], eventTypes: ['call.ended'] });
    await place();
    await t.emulator.waitForIdle();
    await eventually(() => r.accepted.length === 1, 30_000, 'the matching delivery');
    await t.http.post(`/webhook-endpoints/${forOther.id}/test`).set(...authHeader(alice)).expect(202);
    await eventually(() => otherR.accepted.length === 1, 30_000, 'the ping');
    expect(otherR.received.map((x) => x.json.type)).toEqual(['ping']);
  });

  it.each([
    ['duplicated', { duplicate: true }],
    ['reordered', { outOfOrder: true }],
    ['duplicated and reordered', { duplicate: true, outOfOrder: true }],
  ])('a %s Retell stream produces each call event once', async (_name, behaviour) => {
    const { r, url } = await receiver();
    await createEndpoint(alice, { url, eventTypes: ['call.started', 'call.ended', 'call.analyzed'] });
    t.emulator.setWebhookBehaviour(behaviour);
    try {
      const call = await place();
      await t.emulator.waitForIdle();
      await eventually(() => r.accepted.length >= 3, 30_000, 'three deliveries');
      // Everything Retell sent has been applied; give the relay a pass to (wrongly) add more, through a ping.
      const events = async () => (await t.http.get('/events').set(...authHeader(alice)).expect(200)).body.items as Array<{ type: string; data: { id?: number } }>;
      const mine = (await events()).filter((e) => e.data.id === call.id).map((e) => e.type).sort();
      expect(mine).toEqual(['call.analyzed', 'call.ended', 'call.started']);
      expect(r.received.map((x) => x.json.type).sort()).toEqual(['call.analyzed', 'call.ended', 'call.started']);
      expect(r.received.every((x) => x.json.data.id === call.id)).toBe(true);
    } finally {
      t.emulator.setWebhookBehaviour({ duplicate: false, outOfOrder: false });
    }
  });

  it('refuses bad input with 400: private URLs are allowed only by the development switch (tested in unit specs), unknown types and fields', async () => {
    const bad = async (body: Record<string, unknown>, field: string) => {
      const response = await t.http.post('/webhook-endpoints').set(...authHeader(alice)).send(body).expect(400);
      expect(response.body.details.map((d: { field: string }) => d.field)).toContain(field);
    };
    await bad({ url: 'ftp://example.com/x' }, 'url');
    await bad({ url: 'https://user:pw@example.com/x' }, 'url');
    await bad({ url: 'https://example.com/x', eventTypes: ['call.exploded'] }, 'eventTypes');
    await bad({ url: 'https://example.com/x', eventTypes: [] }, 'eventTypes');
    await bad({ url: 'https://example.com/x', agentIds: ['7'] }, 'agentIds');
    await bad({ url: 'https://example.com/x', secret: 'whsec_mine' }, 'secret');
    await t.http.get('/webhook-endpoints/0').set(...authHeader(alice)).expect(400);
  });

  it('lists, updates and deletes endpoints; the secret is never shown again', async () => {
    const { url } = await receiver();
    const endpoint = await createEndpoint(alice, { url, description: 'first' });
    const got = (await t.http.get(`/webhook-endpoints/${endpoint.id}`).set(...authHeader(alice)).expect(200)).body;
    expect(got).not.toHaveProperty('secret');
    expect(JSON.stringify(got)).not.toContain(endpoint.secret);
    const patched = (await t.http.patch(`/webhook-endpoints/${endpoint.id}`).set(...authHeader(alice)).send({ description: 'second', eventTypes: ['agent.created'], isActive: false }).expect(200)).body;
    expect(patched).toMatchObject({ description: 'second', eventTypes: ['agent.created'], isActive: false });
    await t.http.post(`/webhook-endpoints/${endpoint.id}/test`).set(...authHeader(alice)).expect(409);
    const page = (await t.http.get('/webhook-endpoints').query({ limit: 1 }).set(...authHeader(alice)).expect(200)).body;
    expect(page.items).toHaveLength(1);
    expect(page.nextCursor).toEqual(expect.any(String));
    const rows = await t.db.query<{ secret_ciphertext: string }>('select secret_ciphertext from webhook_endpoints where id = $1', [endpoint.id]);
    expect(rows[0]!.secret_ciphertext).not.toContain(endpoint.secret.slice(6, 20));
    await t.http.delete(`/webhook-endpoints/${endpoint.id}`).set(...authHeader(alice)).expect(204);
    await t.http.get(`/webhook-endpoints/${endpoint.id}`).set(...authHeader(alice)).expect(404);
  });

  it('delivers agent and phone number events with what their GET returned (the last state for deletions)', async () => {
    const carol = await createUser(t.http);
    const { r, url } = await receiver();
    const endpoint = await createEndpoint(carol, { url });
    const created = await createAgent(t.http, carol);
    const number = (await t.http.post(`/agents/${created.id}/phone-numbers`).set(...authHeader(carol)).send({}).expect(201)).body;
    const updatedNumber = (await t.http.patch(`/phone-numbers/${number.id}`).set(...authHeader(carol)).send({ nickname: 'Desk' }).expect(200)).body;
    await t.http.patch(`/agents/${created.id}`).set(...authHeader(carol)).send({ description: 'Night shift' }).expect(200);
    const afterUpdate = (await t.http.get(`/agents/${created.id}`).set(...authHeader(carol)).expect(200)).body;
    await t.http.post(`/agents/${created.id}/publish`).set(...authHeader(carol)).send({}).expect(200);
    const published = (await t.http.get(`/agents/${created.id}`).set(...authHeader(carol)).expect(200)).body;
    await t.http.delete(`/agents/${created.id}`).set(...authHeader(carol)).expect(204);

    const types = ['agent.created', 'phone_number.created', 'phone_number.updated', 'agent.updated', 'agent.published', 'phone_number.deleted', 'agent.deleted'];
    await eventually(() => r.accepted.length === types.length, 30_000, 'seven deliveries');
    for (const received of r.received) verify(endpoint.secret, received);
    const byType = Object.fromEntries(r.received.map((x) => [x.json.type, x.json.data]));
    expect(Object.keys(byType).sort()).toEqual([...types].sort());
    expect(byType['agent.created']).toEqual({ ...created });
    expect(byType['phone_number.created']).toEqual(number);
    expect(byType['phone_number.updated']).toEqual(updatedNumber);
    expect(byType['agent.updated']).toEqual(afterUpdate);
    expect(byType['agent.published']).toEqual(published);
    expect(byType['agent.deleted']).toEqual(published);
    expect(byType['phone_number.deleted']).toMatchObject({ id: number.id, phoneNumber: number.phoneNumber, nickname: 'Desk' });
    // The log has them too, newest first, in the order they happened.
    const log = (await t.http.get('/events').query({ limit: 100 }).set(...authHeader(carol)).expect(200)).body.items.map((e: { type: string }) => e.type);
    expect(log.reverse()).toEqual(types);
  });

  it('disables an endpoint whose every delivery failed for 5 days, with the reason; PATCH isActive turns it back on', async () => {
    const { r, url } = await receiver();
    r.respond = () => 500;
    const endpoint = await createEndpoint(alice, { url });
    // Five days of failures, without waiting five days: the streak began six days ago.
    await t.db.query(`update webhook_endpoints set failing_since = now() - interval '6 days' where id = $1`, [endpoint.id]);
    await t.http.post(`/webhook-endpoints/${endpoint.id}/test`).set(...authHeader(alice)).expect(202);
    const disabled = await eventually(async () => {
      const body = (await t.http.get(`/webhook-endpoints/${endpoint.id}`).set(...authHeader(alice)).expect(200)).body;
      return body.isActive === false ? body : undefined;
    }, 30_000, 'the endpoint to be disabled');
    expect(disabled.disabledReason).toMatch(/^Disabled: every delivery failed since .* \(last: HTTP 500\)/);
    const attempts = r.received.length;
    // Its pending retry is not sent to a disabled endpoint.
    const [delivery] = await eventually(async () => {
      const list = await deliveriesOf(alice, endpoint.id);
      return list[0]?.status === 'failed' ? list : undefined;
    }, 30_000, 'the pending retry to fail');
    expect(delivery).toMatchObject({ status: 'failed', lastError: 'the endpoint is inactive' });
    expect(r.received.length).toBe(attempts);

    const enabled = (await t.http.patch(`/webhook-endpoints/${endpoint.id}`).set(...authHeader(alice)).send({ isActive: true }).expect(200)).body;
    expect(enabled).toMatchObject({ isActive: true, disabledReason: null, failingSince: null });
  });

  it("keeps every event in the log, materialised on read, for a tenant without endpoints", async () => {
    const dave = await createUser(t.http);
    const davesAgent = await createAgent(t.http, dave);
    await t.http.post(`/agents/${davesAgent.id}/phone-numbers`).set(...authHeader(dave)).send({}).expect(201);
    const call = (await t.http.post(`/agents/${davesAgent.id}/calls`).set(...authHeader(dave)).send({ toNumber: '+14155559999' }).expect(201)).body;
    await t.emulator.waitForIdle();
    const detail = (await t.http.get(`/calls/${call.id}`).set(...authHeader(dave)).expect(200)).body;
    const analyzed = (await t.http.get('/events').query({ type: 'call.analyzed' }).set(...authHeader(dave)).expect(200)).body.items;
    expect(analyzed).toEqual([{ id: expect.any(Number), type: 'call.analyzed', createdAt: expect.any(String), data: detail }]);
    const one = (await t.http.get(`/events/${analyzed[0].id}`).set(...authHeader(dave)).expect(200)).body;
    expect(one).toEqual(analyzed[0]);
    const types = (await t.http.get('/events').query({ limit: 100 }).set(...authHeader(dave)).expect(200)).body.items.map((e: { type: string }) => e.type);
    expect(types).toEqual(['call.analyzed', 'call.ended', 'call.started', 'phone_number.created', 'agent.created']);
    await t.http.get('/events').query({ type: 'call.exploded' }).set(...authHeader(dave)).expect(400);
  });

  it('a tool or LLM configuration change is an agent.updated with the agent as GET /agents/:id then shows it', async () => {
    const erin = await createUser(t.http);
    const erinsAgent = await createAgent(t.http, erin);
    const { r, url } = await receiver();
    await createEndpoint(erin, { url, eventTypes: ['agent.updated'] });
    await t.http.post(`/agents/${erinsAgent.id}/tools`).set(...authHeader(erin)).send(customTool()).expect(201);
    const withTool = (await t.http.get(`/agents/${erinsAgent.id}`).set(...authHeader(erin)).expect(200)).body;
    await t.http.patch(`/agents/${erinsAgent.id}/llm-configuration`).set(...authHeader(erin)).send({ temperature: 0.7 }).expect(200);
    const withConfig = (await t.http.get(`/agents/${erinsAgent.id}`).set(...authHeader(erin)).expect(200)).body;
    await eventually(() => r.accepted.length === 2, 30_000, 'two agent.updated deliveries');
    const sorted = [...r.received].sort((a, b) => a.json.id - b.json.id).map((x) => x.json.data);
    expect(sorted).toEqual([withTool, withConfig]);
  });

  it('a PATCH of an agent that changes nothing emits no agent.updated; one that changes something does', async () => {
    const frank = await createUser(t.http);
    const franksAgent = await createAgent(t.http, frank);
    const updates = async () =>
      (await t.http.get('/events').query({ type: 'agent.updated' }).set(...authHeader(frank)).expect(200)).body.items as Array<{ data: { description: string | null } }>;
    const current = (await t.http.get(`/agents/${franksAgent.id}`).set(...authHeader(frank)).expect(200)).body;
    await t.http.patch(`/agents/${franksAgent.id}`).set(...authHeader(frank)).send({ name: current.name, description: current.description, isActive: current.isActive }).expect(200);
    await t.http.patch(`/agents/${franksAgent.id}`).set(...authHeader(frank)).send({}).expect(200);
    expect(await updates()).toEqual([]);
    await t.http.patch(`/agents/${franksAgent.id}`).set(...authHeader(frank)).send({ description: 'Weekends' }).expect(200);
    const after = await updates();
    expect(after).toHaveLength(1);
    expect(after[0]!.data.description).toBe('Weekends');
    // An outbound setting alone is a change GET shows too; the same value again is not.
    await t.http.patch(`/agents/${franksAgent.id}`).set(...authHeader(frank)).send({ language: 'de-DE' }).expect(200);
    await t.http.patch(`/agents/${franksAgent.id}`).set(...authHeader(frank)).send({ language: 'de-DE' }).expect(200);
    const withLanguage = (await t.http.get('/events').query({ type: 'agent.updated' }).set(...authHeader(frank)).expect(200)).body.items as Array<{ data: { language: string | null } }>;
    expect(withLanguage.map((event) => event.data.language)).toEqual(['de-DE', null]);
  });

  it('prunes events and their deliveries past the retention, never one with a pending delivery', async () => {
    const gina = await createUser(t.http);
    const { url } = await receiver();
    const endpoint = await createEndpoint(gina, { url });
    const userId = (await t.db.query<{ id: number }>('select user_id as id from webhook_endpoints where id = $1', [endpoint.id]))[0]!.id;
    // Already dispatched (the relay leaves them alone): two old ones, one with a finished and one with a pending
    // delivery (a retry due next week, so no worker takes it now), and a recent one.
    const events = await t.db.query<{ id: number }>(
      `insert into events (user_id, type, data, created_at, dispatched_at)
       select $1, 'ping', '{}', now() - age::interval, now() - age::interval from unnest(array['40 days', '40 days', '1 day']) as age
       returning id`,
      [userId],
    );
    const [oldDone, oldPending, recent] = events.map((e) => e.id);
    await t.db.query(
      `insert into webhook_deliveries (endpoint_id, event_id, user_id, status, attempts, next_attempt_at, created_at, updated_at)
       values ($1, $2, $4, 'succeeded', 1, null, now() - interval '40 days', now()),
              ($1, $3, $4, 'pending', 3, now() + interval '7 days', now() - interval '40 days', now())`,
      [endpoint.id, oldDone, oldPending, userId],
    );
    const deleted = await t.app.get(EventsRetention).prune();
    expect(deleted).toBeGreaterThanOrEqual(1);
    const left = await t.db.query<{ id: number }>('select id from events where id = any($1::int[]) order by id', [[oldDone, oldPending, recent]]);
    expect(left.map((e) => e.id)).toEqual([oldPending, recent]);
    const deliveries = await t.db.query<{ event_id: number; status: string }>('select event_id, status from webhook_deliveries where endpoint_id = $1', [endpoint.id]);
    expect(deliveries).toEqual([{ event_id: oldPending, status: 'pending' }]);
  });
});
