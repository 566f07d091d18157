import { EntityManager } from '@mikro-orm/postgresql';
import { callValues, type RetellCallData } from '../src/calls/call-merge.js';
import { Call } from '../src/calls/call.entity.js';
import type { CallRepository } from '../src/calls/call.repository.js';
import { bootTestApp, type TestApp } from './support/app.js';
import { createAgent, type AgentBody } from './support/agents.js';
import { createUser } from './support/factories.js';

/**
 * The lifecycle rules of `CallRepository.mergeFromRetell`, the one statement every path (webhook, refresh, create)
 * goes through: status only moves forward, timestamps are set once, fields merge, duplicates change nothing.
 */
describe('CallRepository.mergeFromRetell (real database)', () => {
  let t: TestApp;
  let agent: AgentBody;
  let calls: CallRepository;
  let seq = 0;

  beforeAll(async () => {
    t = await bootTestApp();
    agent = await createAgent(t.http, await createUser(t.http));
    calls = t.app.get(EntityManager).fork().getRepository(Call) as CallRepository;
  });
  afterAll(async () => {
    await t.close();
  });

  const fresh = () => `merge-${++seq}`;
  const merge = (data: RetellCallData, event?: string) => calls.mergeFromRetell({ retellAgentId: agent.retellAgentId, values: callValues(data, event, []) });
  const row = async (callId: string) => {
    const [found] = await t.db.query<Record<string, unknown>>(
      `select status, duration, disconnection_reason, transcript, call_analysis, started_at, ended_at from calls where retell_call_id = $1`,
      [callId],
    );
    return found;
  };
  const at = (ms: number) => new Date(new Date(ms).toISOString().slice(0, -1));

  const base = (callId: string): RetellCallData => ({ call_id: callId, call_status: 'registered' });
  const started = (callId: string): RetellCallData => ({ ...base(callId), call_status: 'ongoing', start_timestamp: 1_700_000_000_000 });
  const ended = (callId: string): RetellCallData => ({
    ...base(callId),
    start_timestamp: 1_700_000_000_000,
    end_timestamp: 1_700_000_042_400,
    duration_ms: 42_400,
    disconnection_reason: 'agent_hangup',
    transcript: 'Agent: Hello',
    transcript_object: [{ role: 'agent', content: 'Hello' }],
    recording_url: 'https://example.test/r.wav',
    call_cost: { combined_cost: 12 },
  });
  const analyzed = (callId: string): RetellCallData => ({ ...ended(callId), call_status: 'ended', call_analysis: { call_summary: 'ok', user_sentiment: 'Positive' } });

  it('follows the lifecycle started → ended → analyzed', async () => {
    const id = fresh();
    await merge(started(id), 'call_started');
    expect(await row(id)).toMatchObject({ status: 'ongoing', started_at: at(1_700_000_000_000) });
    await merge(ended(id), 'call_ended');
    expect(await row(id)).toMatchObject({ status: 'ended', duration: 42, disconnection_reason: 'agent_hangup', transcript: 'Agent: Hello', ended_at: at(1_700_000_042_400) });
    await merge(analyzed(id), 'call_analyzed');
    expect(await row(id)).toMatchObject({ status: 'ended', call_analysis: { call_summary: 'ok', user_sentiment: 'Positive' } });
  });

  it('ignores a late call_started after the call ended', async () => {
    const id = fresh();
    await merge(ended(id), 'call_ended');
    await merge({ ...started(id), start_timestamp: 1_800_000_000_000 }, 'call_started');
    expect(await row(id)).toMatchObject({ status: 'ended', started_at: at(1_700_000_000_000), transcript: 'Agent: Hello' });
  });

  it('is idempotent: applying the same event twice changes nothing', async () => {
    const once = fresh();
    await merge(ended(once), 'call_ended');
    const twice = fresh();
    await merge(ended(twice), 'call_ended');
    await merge(ended(twice), 'call_ended');
    expect(await row(twice)).toEqual(await row(once));
  });

  it('completes the row when call_analyzed arrives before call_ended', async () => {
    const id = fresh();
    await merge(analyzed(id), 'call_analyzed');
    await merge(ended(id), 'call_ended');
    expect(await row(id)).toMatchObject({ status: 'ended', duration: 42, call_analysis: { call_summary: 'ok', user_sentiment: 'Positive' } });
  });

  it('keeps the terminal state Retell reports for calls that never connected', async () => {
    const id = fresh();
    await merge({ ...base(id), call_status: 'not_connected', disconnection_reason: 'dial_no_answer', end_timestamp: 1 }, 'call_ended');
    expect(await row(id)).toMatchObject({ status: 'not_connected', disconnection_reason: 'dial_no_answer', started_at: null });
  });

  it('never re-parents a call: data naming another agent changes nothing and says so', async () => {
    const other = await createAgent(t.http, await createUser(t.http));
    const id = fresh();
    await merge(started(id), 'call_started');
    const outcome = await calls.mergeFromRetell({ retellAgentId: other.retellAgentId, values: callValues(ended(id), 'call_ended', []) });
    expect(outcome).toBe('agent_mismatch');
    const [stored] = await t.db.query<{ agent_id: number; status: string }>(`select agent_id, status from calls where retell_call_id = $1`, [id]);
    expect(stored).toEqual({ agent_id: agent.id, status: 'ongoing' });
  });
});
