import Retell from 'retell-sdk';
import { EMULATOR_API_KEY } from '../src/retell/retell-client.provider.js';
import { bootTestApp, type TestApp } from './support/app.js';
import { authHeader, createAgent, type AgentBody } from './support/agents.js';
import { createUser, type TestUser } from './support/factories.js';

/**
 * Retell's webhooks never get a 5xx for their content (Retell would resend the same bytes forever and the call would
 * never update): what PostgreSQL cannot store is cleaned or dropped, recorded on the event, and answered 204.
 */
describe('Retell webhooks with hostile content (e2e)', () => {
  let t: TestApp;
  let alice: TestUser;
  let agent: AgentBody;

  beforeAll(async () => {
    t = await bootTestApp();
    alice = await createUser(t.http);
    agent = await createAgent(t.http, alice);
  });
  afterAll(async () => {
    await t.close();
  });

  const deliver = async (payload: unknown, status = 204) => {
    const body = JSON.stringify(payload);
    const response = await t.http
      .post('/webhooks/retell')
      .set('content-type', 'application/json')
      .set('x-retell-signature', await Retell.sign(body, EMULATOR_API_KEY))
      .send(body);
    expect(response.status).toBe(status);
    return body;
  };
  const call = (callId: string, extra: Record<string, unknown> = {}, agentId = agent.retellAgentId) => ({
    call_id: callId,
    agent_id: agentId,
    call_type: 'phone_call',
    direction: 'inbound',
    from_number: '+14155550100',
    to_number: '+14155550200',
    ...extra,
  });
  const row = async (callId: string) => (await t.db.query<Record<string, unknown>>('select * from calls where retell_call_id = $1', [callId]))[0];
  const events = (callId: string) =>
    t.db.query<{ event: string; outcome: string; anomalies: string[] | null; raw_body: Buffer | null; payload: Record<string, unknown> }>(
      'select event, outcome, anomalies, raw_body, payload from retell_webhook_events where retell_call_id = $1 order by id',
      [callId],
    );

  it('stores a transcript, analysis and metadata holding NUL and lone surrogates, cleaned, and keeps the exact bytes', async () => {
    const body = await deliver({
      event: 'call_ended',
      call: call('nul-call', {
        transcript: 'Agent: Hi\u0000 there',
        call_analysis: { call_summary: 'half \uD800 a pair', custom: { ['k\u0000']: 'v' } },
        metadata: { echoed: 'from the partner \uDC00' },
        end_timestamp: 1_700_000_010_000,
      }),
    });
    expect(await row('nul-call')).toMatchObject({
      status: 'ended',
      transcript: 'Agent: Hi there',
      call_analysis: { call_summary: 'half \uFFFD a pair', custom: { k: 'v' } },
    });
    const [event] = await events('nul-call');
    expect(event.outcome).toBe('applied');
    expect(event.anomalies).toEqual(
      expect.arrayContaining([
        '$.call.transcript: NUL characters removed',
        '$.call.call_analysis.call_summary: lone UTF-16 surrogates replaced by U+FFFD',
        '$.call.metadata.echoed: lone UTF-16 surrogates replaced by U+FFFD',
      ]),
    );
    expect(event.raw_body!.toString('utf8')).toBe(body);
  });

  it('drops times, durations and numbers our columns cannot hold, applies the rest', async () => {
    await deliver({
      event: 'call_ended',
      call: call('range-call', { start_timestamp: 1e20, end_timestamp: -1, duration_ms: 1e20, from_number: `+1${'5'.repeat(40)}`, transcript: 'kept' }),
    });
    expect(await row('range-call')).toMatchObject({ status: 'ended', started_at: null, ended_at: null, duration: null, from_number: null, transcript: 'kept' });
    const [event] = await events('range-call');
    expect(event.anomalies).toHaveLength(4);
  });

  it('keeps an event without anomalies lean: no raw copy', async () => {
    await deliver({ event: 'call_started', call: call('plain-call', { start_timestamp: 1_700_000_000_000 }) });
    const [event] = await events('plain-call');
    expect(event).toMatchObject({ outcome: 'applied', anomalies: null, raw_body: null });
  });

  it("never moves a call to another tenant's agent: the event is kept as agent_mismatch and changes nothing", async () => {
    const bob = await createUser(t.http);
    const bobsAgent = await createAgent(t.http, bob);
    await deliver({ event: 'call_started', call: call('owned-call', { start_timestamp: 1_700_000_000_000 }) });
    await deliver({ event: 'call_ended', call: call('owned-call', { end_timestamp: 1_700_000_050_000, transcript: 'stolen?' }, bobsAgent.retellAgentId) });
    expect(await row('owned-call')).toMatchObject({ agent_id: agent.id, user_id: alice.id, status: 'ongoing', transcript: null });
    expect((await events('owned-call')).map((e) => [e.event, e.outcome])).toEqual([
      ['call_started', 'applied'],
      ['call_ended', 'agent_mismatch'],
    ]);
    // Bob deleting his agent leaves Alice's call alone.
    await t.http.delete(`/agents/${bobsAgent.id}`).set(...authHeader(bob)).expect(204);
    expect(await row('owned-call')).toMatchObject({ agent_id: agent.id });
    const listed = await t.http.get(`/calls?agentId=${agent.id}`).set(...authHeader(alice)).expect(200);
    expect(listed.body.items.map((c: { retellCallId: string }) => c.retellCallId)).toContain('owned-call');
  });

  it('refuses null for optional create fields before Retell is asked (dynamicVariables: null on a web call)', async () => {
    const before = t.emulator.state.calls.size;
    const refused = await t.http.post(`/agents/${agent.id}/web-calls`).set(...authHeader(alice)).send({ dynamicVariables: null }).expect(400);
    expect(refused.body.details).toEqual([expect.objectContaining({ field: 'dynamicVariables' })]);
    await t.http.post(`/agents/${agent.id}/web-calls`).set(...authHeader(alice)).send({ metadata: null }).expect(400);
    expect(t.emulator.state.calls.size).toBe(before);
  });
});
