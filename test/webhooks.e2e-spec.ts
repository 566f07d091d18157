import { createHmac } from 'node:crypto';
import Retell from 'retell-sdk';
import { EMULATOR_API_KEY } from '../src/retell/retell-client.provider.js';
import { bootTestApp, type TestApp } from './support/app.js';
import { authHeader, createAgent, type AgentBody } from './support/agents.js';
import { createUser, type TestUser } from './support/factories.js';

describe('Retell webhooks (e2e)', () => {
  let t: TestApp;
  let alice: TestUser;
  let agent: AgentBody;

  beforeAll(async () => {
    t = await bootTestApp();
    alice = await createUser(t.http);
    agent = await createAgent(t.http, alice);
    await t.http.post(`/agents/${agent.id}/phone-numbers`).set(...authHeader(alice)).send({}).expect(201);
  });
  afterAll(async () => {
    await t.close();
  });

  /** Posts a payload signed as Retell signs it (or with the given signature); resolves to the response. */
  const send = async (payload: unknown, signature?: string) => {
    const body = JSON.stringify(payload);
    return t.http
      .post('/webhooks/retell')
      .set('content-type', 'application/json')
      .set('x-retell-signature', signature ?? (await Retell.sign(body, EMULATOR_API_KEY)))
      .send(body);
  };
  const deliver = async (payload: unknown, status = 204) => {
    const response = await send(payload);
    expect(response.status).toBe(status);
    return response;
  };

  const callPayload = (callId: string, extra: Record<string, unknown> = {}) => ({
    call_id: callId,
    agent_id: agent.retellAgentId,
    call_type: 'phone_call',
    direction: 'inbound',
    from_number: '+14155550100',
    to_number: '+14155550200',
    call_status: 'registered',
    ...extra,
  });

  const row = async (callId: string) => (await t.db.query<Record<string, unknown>>('select * from calls where retell_call_id = $1', [callId]))[0];

  it('refuses missing, malformed, tampered and stale signatures with 401, storing nothing', async () => {
    const payload = { event: 'call_started', call: callPayload('sig-call', { start_timestamp: Date.now() }) };
    const body = JSON.stringify(payload);
    const good = await Retell.sign(body, EMULATOR_API_KEY);
    const stale = Date.now() - 6 * 60_000;
    const staleSig = `v=${stale},d=${createHmac('sha256', EMULATOR_API_KEY).update(body + stale).digest('hex')}`;
    const cases: Array<[string, () => ReturnType<typeof send>]> = [
      ['missing', () => t.http.post('/webhooks/retell').set('content-type', 'application/json').send(body)],
      ['malformed', () => send(payload, 'not-a-signature')],
      ['wrong key', async () => send(payload, await Retell.sign(body, 'some-other-key'))],
      ['stale', () => send(payload, staleSig)],
      // One changed space in the body breaks the signature computed over the raw bytes.
      ['tampered body', () => t.http.post('/webhooks/retell').set('content-type', 'application/json').set('x-retell-signature', good).send(body.replace('"call_started"', ' "call_started"'))],
    ];
    for (const [, run] of cases) {
      const response = await run();
      expect(response.status).toBe(401);
      expect(response.body.statusCode).toBe(401);
    }
    expect(await t.db.query('select id from retell_webhook_events')).toEqual([]);
    await deliver(payload);
  });

  it('applies an event once: a duplicate changes nothing', async () => {
    const ended = { event: 'call_ended', call: callPayload('dup-call', { start_timestamp: 1_700_000_000_000, end_timestamp: 1_700_000_030_000, duration_ms: 30_000, disconnection_reason: 'user_hangup', transcript: 'hi' }) };
    await deliver(ended);
    const first = await row('dup-call');
    await deliver(ended);
    await deliver({ ...ended, call: { ...ended.call, transcript: 'rewritten by a duplicate' } });
    const second = await row('dup-call');
    expect(second).toEqual(first);
    expect(await t.db.query(`select id from retell_webhook_events where retell_call_id = 'dup-call'`)).toHaveLength(1);
  });

  it('is order-safe: a late call_started never moves an ended call back, and fields merge', async () => {
    await deliver({ event: 'call_analyzed', call: callPayload('late-call', { end_timestamp: 1_700_000_030_000, call_analysis: { call_summary: 's', user_sentiment: 'Neutral' } }) });
    await deliver({ event: 'call_ended', call: callPayload('late-call', { start_timestamp: 1_700_000_000_000, end_timestamp: 1_700_000_030_000, duration_ms: 30_000, transcript: 'full transcript' }) });
    await deliver({ event: 'call_started', call: callPayload('late-call', { start_timestamp: 1_700_000_000_000 }) });
    const merged = await row('late-call');
    expect(merged).toMatchObject({ status: 'ended', duration: 30, transcript: 'full transcript', call_analysis: { call_summary: 's', user_sentiment: 'Neutral' } });
  });

  it('merges like mergeRetellCall: times and the disconnection reason are set once, duration falls back to end − start', async () => {
    await deliver({ event: 'call_ended', call: callPayload('merge-call', { start_timestamp: 1_700_000_000_000, end_timestamp: 1_700_000_042_400, disconnection_reason: 'user_hangup', recording_url: 'https://r.example/1.wav' }) });
    await deliver({ event: 'call_analyzed', call: callPayload('merge-call', { start_timestamp: 1_700_000_005_000, end_timestamp: 1_700_000_099_000, disconnection_reason: 'agent_hangup', call_cost: { combined_cost: 7 } }) });
    const merged = await row('merge-call');
    expect(merged).toMatchObject({
      status: 'ended',
      duration: 42,
      disconnection_reason: 'user_hangup',
      recording_url: 'https://r.example/1.wav',
      call_cost: { combined_cost: 7 },
    });
    // Stored as UTC wall time (timestamp without time zone), whatever the server's zone.
    const [times] = await t.db.query<{ started: string; ended: string }>(
      `select to_char(started_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS') as started, to_char(ended_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS') as ended from calls where retell_call_id = 'merge-call'`,
    );
    expect(times).toEqual({ started: new Date(1_700_000_000_000).toISOString().slice(0, -1), ended: new Date(1_700_000_042_400).toISOString().slice(0, -1) });
  });

  it('creates an inbound call row from its first event, under the agent found by its Retell id', async () => {
    await deliver({ event: 'call_started', call: callPayload('new-inbound', { start_timestamp: Date.now() }) });
    const created = await row('new-inbound');
    expect(created).toMatchObject({ agent_id: agent.id, user_id: alice.id, direction: 'inbound', status: 'ongoing', from_number: '+14155550100' });
  });

  it('keeps events for an unknown agent and other event types without error', async () => {
    await deliver({ event: 'call_started', call: { ...callPayload('stranger-call'), agent_id: 'agent_not_ours' } });
    await deliver({ event: 'transcript_updated', call: callPayload('new-inbound', { transcript: 'partial' }) });
    await deliver({ event: 'alert_triggered', alert: { id: 'a1' } });
    const events = await t.db.query<{ event: string; outcome: string }>(
      `select event, outcome from retell_webhook_events where event in ('transcript_updated', 'alert_triggered') or retell_call_id = 'stranger-call' order by id`,
    );
    expect(events).toEqual([
      { event: 'call_started', outcome: 'unknown_agent' },
      { event: 'transcript_updated', outcome: 'ignored' },
      { event: 'alert_triggered', outcome: 'ignored' },
    ]);
    expect(await row('stranger-call')).toBeUndefined();
  });

  it('answers a malformed payload with 400', async () => {
    await deliver({ event: 42 }, 400);
    await deliver({ event: 'call_ended', call: { agent_id: agent.retellAgentId } }, 400);
    await deliver([1, 2], 400);
  });

  it('survives Retell delivering duplicates and out-of-order events for real calls', async () => {
    t.emulator.setWebhookBehaviour({ duplicate: true, outOfOrder: true });
    try {
      const created = await t.http.post(`/agents/${agent.id}/calls`).set(...authHeader(alice)).send({ toNumber: '+14155559999' }).expect(201);
      await t.emulator.waitForIdle();
      const call = await t.http.get(`/calls/${created.body.id}`).set(...authHeader(alice)).expect(200);
      expect(call.body).toMatchObject({ status: 'ended', disconnectionReason: 'agent_hangup' });
      expect(call.body.analysis).not.toBeNull();
      const deliveries = t.emulator.deliveries.filter((d) => d.call_id === created.body.retellCallId);
      expect(deliveries.some((d) => d.duplicate)).toBe(true);
      expect(deliveries.every((d) => d.status === 204)).toBe(true);
    } finally {
      t.emulator.setWebhookBehaviour({ duplicate: false, outOfOrder: false });
    }
  });
});
