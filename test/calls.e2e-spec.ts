import { bootTestApp, type TestApp } from './support/app.js';
import { authHeader, createAgent, type AgentBody } from './support/agents.js';
import { createApiKey, createUser, type TestUser } from './support/factories.js';

describe('calls (e2e)', () => {
  let t: TestApp;
  let alice: TestUser;
  let agent: AgentBody;
  let number: string;

  beforeAll(async () => {
    t = await bootTestApp({ CALLS_PER_MINUTE_PER_USER: '1000' });
    alice = await createUser(t.http);
    agent = await createAgent(t.http, alice);
    number = (await t.http.post(`/agents/${agent.id}/phone-numbers`).set(...authHeader(alice)).send({}).expect(201)).body.phoneNumber;
  });
  afterAll(async () => {
    await t.close();
  });

  const place = (body: Record<string, unknown>, caller: TestUser | { apiKey: string } = alice) =>
    t.http.post(`/agents/${agent.id}/calls`).set(...authHeader(caller)).send(body);

  it('places a call; signed webhooks complete it with transcript, analysis, recording and cost', async () => {
    const created = await place({ toNumber: '+14155559999', dynamicVariables: { customer_name: 'Ada' }, metadata: { ticket: 'T-1' } }).expect(201);
    expect(created.body).toMatchObject({ agentId: agent.id, direction: 'outbound', callType: 'phone_call', fromNumber: number, toNumber: '+14155559999', metadata: { ticket: 'T-1' }, dynamicVariables: { customer_name: 'Ada' } });
    // Retell got our ids in the call's metadata, so its webhooks can be traced to us.
    const remote = t.emulator.state.calls.get(created.body.retellCallId)!.call;
    expect(remote.metadata).toEqual({ app: { user_id: alice.id, agent_id: agent.id }, client: { ticket: 'T-1' } });

    await t.emulator.waitForIdle();
    const call = await t.http.get(`/calls/${created.body.id}`).set(...authHeader(alice)).expect(200);
    expect(call.body).toMatchObject({ status: 'ended', disconnectionReason: 'agent_hangup' });
    expect(call.body.durationSeconds).toBeGreaterThanOrEqual(0);
    expect(call.body.startedAt).not.toBeNull();
    expect(call.body.endedAt).not.toBeNull();
    expect(call.body.transcript).toContain('appointment');
    expect(call.body.transcriptObject.length).toBeGreaterThan(0);
    expect(call.body.analysis).toMatchObject({ user_sentiment: 'Positive', call_successful: true });
    expect(call.body.recordingUrl).toMatch(/^http/);
    expect(call.body.cost).toHaveProperty('combined_cost');
    const events = await t.db.query<{ event: string; outcome: string }>('select event, outcome from retell_webhook_events where retell_call_id = $1 order by id', [created.body.retellCallId]);
    expect(events).toEqual([
      { event: 'call_started', outcome: 'applied' },
      { event: 'call_ended', outcome: 'applied' },
      { event: 'call_analyzed', outcome: 'applied' },
    ]);
  });

  it.each([
    ['no answer', '+14155550001', 'dial_no_answer'],
    ['busy', '+14155550002', 'dial_busy'],
  ])('records a %s call as not connected, without a start', async (_case, toNumber, reason) => {
    const created = await place({ toNumber }).expect(201);
    await t.emulator.waitForIdle();
    const call = await t.http.get(`/calls/${created.body.id}`).set(...authHeader(alice)).expect(200);
    expect(call.body).toMatchObject({ status: 'not_connected', disconnectionReason: reason, startedAt: null });
  });

  it('records an inbound call under the agent its number is bound to', async () => {
    const ringing = t.emulator.ringInbound({ from_number: '+14155551234', to_number: number });
    await t.emulator.waitForIdle();
    const list = await t.http.get(`/calls?direction=inbound&agentId=${agent.id}`).set(...authHeader(alice)).expect(200);
    const inbound = list.body.items.find((c: { retellCallId: string }) => c.retellCallId === ringing.call_id);
    expect(inbound).toMatchObject({ direction: 'inbound', fromNumber: '+14155551234', toNumber: number, status: 'ended', agentId: agent.id });
  });

  it('starts a web call and returns the access token', async () => {
    const created = await t.http.post(`/agents/${agent.id}/web-calls`).set(...authHeader(alice)).send({ metadata: { source: 'widget' } }).expect(201);
    expect(typeof created.body.accessToken).toBe('string');
    expect(created.body.call).toMatchObject({ callType: 'web_call', direction: 'inbound', fromNumber: null, toNumber: null, metadata: { source: 'widget' } });
    await t.emulator.waitForIdle();
    const call = await t.http.get(`/calls/${created.body.call.id}`).set(...authHeader(alice)).expect(200);
    expect(call.body.status).toBe('ended');
  });

  it('refreshes a call from Retell', async () => {
    const created = await place({ toNumber: '+14155559998' }).expect(201);
    await t.emulator.waitForIdle();
    await t.db.query(`update calls set status = 'registered', transcript = null where id = $1`, [created.body.id]);
    const refreshed = await t.http.post(`/calls/${created.body.id}/refresh`).set(...authHeader(alice)).expect(200);
    expect(refreshed.body.status).toBe('ended');
    expect(refreshed.body.transcript).toContain('appointment');
  });

  it('validates the request and writes nothing on bad input', async () => {
    const before = t.emulator.state.calls.size;
    const bad = await place({ toNumber: '12345', dynamicVariables: { n: 1 }, metadata: 'x' }).expect(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['dynamicVariables', 'metadata', 'toNumber']);
    await place({ toNumber: '+14155559999', fromNumber: '+14155550000' }).expect(400);
    await place({ toNumber: '+14155559999', retellAgentId: 'x' }).expect(400);
    expect(t.emulator.state.calls.size).toBe(before);
  });

  it('answers 409 when the agent has no active number', async () => {
    const bare = await createAgent(t.http, alice);
    const response = await t.http.post(`/agents/${bare.id}/calls`).set(...authHeader(alice)).send({ toNumber: '+14155559999' }).expect(409);
    expect(response.body.message).toMatch(/no active phone number/);
  });

  it('maps Retell trouble to 503 with a retry hint and records no call', async () => {
    const before = (await t.db.query('select id from calls')).length;
    t.emulator.injectFault({ path: '/v2/create-phone-call', kind: 'status', status: 429, retryAfterSeconds: 7 });
    const limited = await place({ toNumber: '+14155559999' }).expect(503);
    expect(limited.headers['retry-after']).toBe('7');
    t.emulator.injectFault({ path: '/v2/create-phone-call', kind: 'status', status: 402 });
    await place({ toNumber: '+14155559999' }).expect(503);
    expect((await t.db.query('select id from calls')).length).toBe(before);
  });

  describe('Idempotency-Key', () => {
    const retellCalls = () => t.emulator.state.calls.size;

    it('replays the first response for the same key and body, dialling once', async () => {
      const before = retellCalls();
      const first = await place({ toNumber: '+14155559990' }).set('idempotency-key', 'key-replay-1').expect(201);
      const again = await place({ toNumber: '+14155559990' }).set('idempotency-key', 'key-replay-1').expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(retellCalls()).toBe(before + 1);
    });

    it('answers 422 for the same key with a different body, dialling nothing', async () => {
      await place({ toNumber: '+14155559991' }).set('idempotency-key', 'key-mismatch').expect(201);
      const before = retellCalls();
      const mismatch = await place({ toNumber: '+14155559992' }).set('idempotency-key', 'key-mismatch').expect(422);
      expect(mismatch.body.statusCode).toBe(422);
      expect(retellCalls()).toBe(before);
    });

    it('dials once for two concurrent requests with the same key', async () => {
      const before = retellCalls();
      t.emulator.injectFault({ path: '/v2/create-phone-call', kind: 'latency', latencyMs: 300 });
      const [a, b] = await Promise.all([1, 2].map(() => place({ toNumber: '+14155559993' }).set('idempotency-key', 'key-concurrent')));
      expect([a.status, b.status].sort()).toEqual([201, 409]);
      expect(retellCalls()).toBe(before + 1);
      const later = await place({ toNumber: '+14155559993' }).set('idempotency-key', 'key-concurrent').expect(201);
      expect(later.body.id).toBe((a.status === 201 ? a : b).body.id);
    });

    it('does not store client errors, so a corrected retry can reuse the key', async () => {
      await place({ toNumber: 'bad' }).set('idempotency-key', 'key-corrected').expect(400);
      await place({ toNumber: '+14155559994', fromNumber: '+19999999999' }).set('idempotency-key', 'key-corrected').expect(400);
      await place({ toNumber: '+14155559994' }).set('idempotency-key', 'key-corrected').expect(201);
    });

    it('replays a server error instead of dialling again', async () => {
      t.emulator.injectFault({ path: '/v2/create-phone-call', kind: 'status', status: 500 });
      const before = retellCalls();
      const failed = await place({ toNumber: '+14155559995' }).set('idempotency-key', 'key-5xx').expect(502);
      const replay = await place({ toNumber: '+14155559995' }).set('idempotency-key', 'key-5xx').expect(502);
      expect(replay.body.message).toBe(failed.body.message);
      expect(retellCalls()).toBe(before);
    });

    it('scopes keys per user and refuses malformed keys', async () => {
      const bob = await createUser(t.http);
      const bobsAgent = await createAgent(t.http, bob);
      await t.http.post(`/agents/${bobsAgent.id}/phone-numbers`).set(...authHeader(bob)).send({}).expect(201);
      await place({ toNumber: '+14155559996' }).set('idempotency-key', 'shared-key').expect(201);
      const bobs = await t.http.post(`/agents/${bobsAgent.id}/calls`).set(...authHeader(bob)).set('idempotency-key', 'shared-key').send({ toNumber: '+14155559996' }).expect(201);
      expect(bobs.headers['idempotent-replayed']).toBeUndefined();
      await place({ toNumber: '+14155559996' }).set('idempotency-key', 'x'.repeat(256)).expect(400);
    });
  });

  describe('Idempotency-Key on web calls', () => {
    const webCall = (body: Record<string, unknown>, key: string) =>
      t.http.post(`/agents/${agent.id}/web-calls`).set(...authHeader(alice)).set('idempotency-key', key).send(body);
    const retellCalls = () => t.emulator.state.calls.size;

    it('replays the first response for the same key and body, starting one web call', async () => {
      const before = retellCalls();
      const first = await webCall({ metadata: { order: 'W-1' } }, 'web-replay').expect(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const again = await webCall({ metadata: { order: 'W-1' } }, 'web-replay').expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(retellCalls()).toBe(before + 1);
      const rows = await t.db.query('select id from calls where retell_call_id = $1', [first.body.call.retellCallId]);
      expect(rows).toHaveLength(1);
    });

    it('answers 422 for the same key with a different body, starting nothing', async () => {
      await webCall({ metadata: { order: 'W-2' } }, 'web-mismatch').expect(201);
      const before = retellCalls();
      const mismatch = await webCall({ metadata: { order: 'W-3' } }, 'web-mismatch').expect(422);
      expect(mismatch.body).toMatchObject({ statusCode: 422, message: 'This Idempotency-Key was used with a different request' });
      expect(retellCalls()).toBe(before);
    });

    it('starts one web call for concurrent requests with the same key', async () => {
      const before = retellCalls();
      t.emulator.injectFault({ path: '/v3/create-web-call', kind: 'latency', latencyMs: 300 });
      const responses = await Promise.all(Array.from({ length: 10 }, () => webCall({}, 'web-concurrent')));
      // Whichever requests arrive while the first is in flight get 409; any after it finished get its replay.
      const statuses = responses.map((r) => r.status);
      expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
      const succeeded = responses.filter((r) => r.status === 201);
      expect(succeeded.length).toBeGreaterThanOrEqual(1);
      expect(new Set(succeeded.map((r) => r.body.call.id)).size).toBe(1);
      expect(retellCalls()).toBe(before + 1);
      const later = await webCall({}, 'web-concurrent').expect(201);
      expect(later.headers['idempotent-replayed']).toBe('true');
      expect(later.body.call.id).toBe(succeeded[0]!.body.call.id);
      expect(retellCalls()).toBe(before + 1);
    });

    it('replays a server error instead of starting another call, and does not store client errors', async () => {
      t.emulator.injectFault({ path: '/v3/create-web-call', kind: 'status', status: 500 });
      const before = retellCalls();
      const failed = await webCall({}, 'web-5xx').expect(502);
      const replay = await webCall({}, 'web-5xx').expect(502);
      expect(replay.body.message).toBe(failed.body.message);
      expect(retellCalls()).toBe(before);
      await webCall({ metadata: 'x' }, 'web-corrected').expect(400);
      await webCall({}, 'web-corrected').expect(201);
      expect(retellCalls()).toBe(before + 1);
    });
  });

  it('caps calls started per user per minute with 429 and retry-after, before reaching Retell', async () => {
    const capped = await bootTestApp({ CALLS_PER_MINUTE_PER_USER: '2' });
    try {
      const user = await createUser(capped.http);
      const a = await createAgent(capped.http, user);
      await capped.http.post(`/agents/${a.id}/phone-numbers`).set(...authHeader(user)).send({}).expect(201);
      for (let i = 0; i < 2; i++) await capped.http.post(`/agents/${a.id}/calls`).set(...authHeader(user)).send({ toNumber: '+14155559999' }).expect(201);
      const before = capped.emulator.state.calls.size;
      const over = await capped.http.post(`/agents/${a.id}/calls`).set(...authHeader(user)).send({ toNumber: '+14155559999' }).expect(429);
      expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
      expect(capped.emulator.state.calls.size).toBe(before);
      await capped.emulator.waitForIdle();
    } finally {
      await capped.close();
    }
  });

  it('pages through calls that share a creation time without skipping or repeating one (keyset on created_at, id)', async () => {
    const other = await createAgent(t.http, alice);
    // Five calls with one created_at: only the id orders them, so every page boundary falls inside the tie.
    await t.db.query(
      `insert into calls (agent_id, user_id, retell_call_id, call_type, direction, status, created_at, updated_at)
       select $1, $2, 'tie-' || i, 'web_call', 'inbound', 'ended', timestamp '2001-02-03 04:05:06.789', timestamp '2001-02-03 04:05:06.789'
         from generate_series(1, 5) as i`,
      [other.id, alice.id],
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: Array<{ retellCallId: string }>; nextCursor: string | null } } = await t.http
        .get(`/calls?agentId=${other.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        .set(...authHeader(alice))
        .expect(200);
      seen.push(...page.body.items.map((c) => c.retellCallId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['tie-5', 'tie-4', 'tie-3', 'tie-2', 'tie-1']);
  });

  it('pages the history newest first with a cursor and filters', async () => {
    const other = await createAgent(t.http, alice);
    await t.http.post(`/agents/${other.id}/phone-numbers`).set(...authHeader(alice)).send({}).expect(201);
    for (let i = 0; i < 3; i++) await t.http.post(`/agents/${other.id}/calls`).set(...authHeader(alice)).send({ toNumber: `+1415555700${i}` }).expect(201);
    await t.emulator.waitForIdle();
    const first = await t.http.get(`/calls?agentId=${other.id}&limit=2`).set(...authHeader(alice)).expect(200);
    expect(first.body.items.map((c: { toNumber: string }) => c.toNumber)).toEqual(['+14155557002', '+14155557001']);
    const second = await t.http.get(`/calls?agentId=${other.id}&limit=2&cursor=${first.body.nextCursor}`).set(...authHeader(alice)).expect(200);
    expect(second.body.items.map((c: { toNumber: string }) => c.toNumber)).toEqual(['+14155557000']);
    expect(second.body.nextCursor).toBeNull();
    const ended = await t.http.get(`/calls?agentId=${other.id}&status=ended&direction=outbound&from=2000-01-01T00:00:00Z`).set(...authHeader(alice)).expect(200);
    expect(ended.body.items).toHaveLength(3);
    const none = await t.http.get(`/calls?agentId=${other.id}&to=2000-01-01T00:00:00Z`).set(...authHeader(alice)).expect(200);
    expect(none.body.items).toEqual([]);
    await t.http.get('/calls?status=bogus').set(...authHeader(alice)).expect(400);
    // A forged cursor is a 400, never a database error.
    for (const forged of [{ createdAt: 'yesterday', id: 1 }, { createdAt: new Date().toISOString(), id: 1.5 }, { id: 1 }]) {
      const cursor = Buffer.from(JSON.stringify(forged)).toString('base64url');
      const response = await t.http.get(`/calls?cursor=${cursor}`).set(...authHeader(alice)).expect(400);
      expect(response.body.details).toEqual([{ field: 'cursor', messages: ['is not a valid cursor'] }]);
    }
  });

  it("hides another user's calls (404 for JWT and API key) and never lists them", async () => {
    const created = await place({ toNumber: '+14155559997' }).expect(201);
    const bob = await createUser(t.http);
    const bobKey = { apiKey: (await createApiKey(t.http, bob)).key };
    for (const caller of [bob, bobKey]) {
      await t.http.get(`/calls/${created.body.id}`).set(...authHeader(caller)).expect(404);
      await t.http.post(`/calls/${created.body.id}/refresh`).set(...authHeader(caller)).expect(404);
      await t.http.post(`/agents/${agent.id}/calls`).set(...authHeader(caller)).send({ toNumber: '+14155559999' }).expect(404);
      await t.http.post(`/agents/${agent.id}/web-calls`).set(...authHeader(caller)).send({}).expect(404);
      const list = await t.http.get('/calls').set(...authHeader(caller)).expect(200);
      expect(list.body.items).toEqual([]);
    }
    await t.emulator.waitForIdle();
  });
});
