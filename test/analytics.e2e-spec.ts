import Retell from 'retell-sdk';
import { EMULATOR_API_KEY } from '../src/retell/retell-client.provider.js';
import { bootTestApp, type TestApp } from './support/app.js';
import { authHeader, createAgent, type AgentBody } from './support/agents.js';
import { createApiKey, createUser, type TestUser } from './support/factories.js';

/** A deterministic pseudo-random sequence, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const REASONS = ['user_hangup', 'agent_hangup', 'dial_no_answer', 'voicemail_reached', 'call_transfer', 'inactivity', 'error_llm_websocket_open'];
const SENTIMENTS = ['Positive', 'Negative', 'Neutral', 'Unknown'];
const ZONES = ['UTC', 'America/New_York', 'Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Lord_Howe'];

type Bucket = Record<string, unknown>;

describe('Call analytics (e2e)', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let agents: AgentBody[];

  const send = async (payload: unknown) => {
    const body = JSON.stringify(payload);
    const response = await t.http.post('/webhooks/retell').set('content-type', 'application/json').set('x-retell-signature', await Retell.sign(body, EMULATOR_API_KEY)).send(body);
    expect(response.status).toBe(204);
  };

  /** Every lifecycle event of a call, as Retell would send them; some calls never connect, some stay unanalysed. */
  function callEvents(rand: () => number, id: string, agent: AgentBody, base: number): unknown[] {
    // Start times spread over 4 days and bunched near UTC and local midnights, where a wrong day boundary shows.
    const start = base + Math.floor(rand() * 4) * 86_400_000 + Math.floor(rand() * 96) * 900_000 + Math.floor(rand() * 900_000);
    const call = { call_id: id, agent_id: agent.retellAgentId, call_type: 'phone_call', direction: rand() < 0.5 ? 'inbound' : 'outbound', from_number: '+14155550100', to_number: '+14155550200' };
    const kind = rand();
    if (kind < 0.15) {
      // Never connected: registered, then ended without a start.
      return [
        { event: 'call_started', call: { ...call, call_status: 'registered' } },
        { event: 'call_ended', call: { ...call, call_status: 'not_connected', disconnection_reason: 'dial_no_answer', call_cost: { combined_cost: 0 } } },
      ];
    }
    const durationMs = Math.floor(rand() * 600_000);
    const ended = {
      ...call,
      call_status: 'ended',
      start_timestamp: start,
      end_timestamp: start + durationMs,
      duration_ms: durationMs,
      disconnection_reason: REASONS[Math.floor(rand() * REASONS.length)],
      call_cost: { combined_cost: Math.round(rand() * 10_000) / 100 },
    };
    const events: unknown[] = [{ event: 'call_started', call: { ...call, call_status: 'ongoing', start_timestamp: start } }, { event: 'call_ended', call: ended }];
    if (rand() < 0.8) {
      const analysis: Record<string, unknown> = { call_summary: 'A call.', user_sentiment: SENTIMENTS[Math.floor(rand() * SENTIMENTS.length)], in_voicemail: false };
      if (rand() < 0.9) analysis.call_successful = rand() < 0.6;
      events.push({ event: 'call_analyzed', call: { ...ended, call_analysis: analysis } });
    }
    return events;
  }

  beforeAll(async () => {
    t = await bootTestApp();
    alice = await createUser(t.http);
    bob = await createUser(t.http);
    agents = [await createAgent(t.http, alice), await createAgent(t.http, alice), await createAgent(t.http, alice)];
    const bobAgent = await createAgent(t.http, bob);
    const rand = random(14);
    const base = Date.UTC(2026, 10, 2, 0, 0, 0);
    const events: unknown[] = [];
    for (let i = 0; i < 150; i++) events.push(...callEvents(rand, `an-${i}`, agents[i % agents.length]!, base));
    for (let i = 0; i < 20; i++) events.push(...callEvents(rand, `an-bob-${i}`, bobAgent, base));
    // Duplicates, then a shuffle (Fisher–Yates): events arrive late, early and twice.
    const withDuplicates = [...events, ...events.filter(() => rand() < 0.3)];
    for (let i = withDuplicates.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [withDuplicates[i], withDuplicates[j]] = [withDuplicates[j]!, withDuplicates[i]!];
    }
    // A few at a time, so events of one call and of one quarter hour race each other.
    for (let i = 0; i < withDuplicates.length; i += 6) await Promise.all(withDuplicates.slice(i, i + 6).map(send));
  }, 300_000);
  afterAll(async () => {
    await t.close();
  });

  /** The same figures straight from `calls`, with PostgreSQL's own time zone rules for the local day. */
  async function plainAggregate(userId: number, zone: string, groupBy: string, from: string, to: string, agentId?: number): Promise<Bucket[]> {
    const byDay = groupBy !== 'agent';
    const byAgent = groupBy !== 'day';
    const keys = [byDay ? 'day' : 'null::text', byAgent ? 'agent_id' : 'null::int'];
    const base = `select to_char((coalesce(started_at, created_at) at time zone 'UTC') at time zone $2, 'YYYY-MM-DD') as day, * from calls where user_id = $1 ${agentId ? 'and agent_id = $5' : ''}`;
    const params = [userId, zone, from, to, ...(agentId ? [agentId] : [])];
    const totals = await t.db.query<Record<string, number | string | null>>(
      `select ${keys[0]} as day, ${keys[1]} as agent_id, count(*)::float8 as calls,
              count(*) filter (where status in ('ongoing', 'ended'))::float8 as connected,
              coalesce(sum(duration), 0)::float8 as total, count(duration)::float8 as timed,
              count(*) filter (where call_analysis -> 'call_successful' = 'true')::float8 as successful,
              count(*) filter (where call_analysis -> 'call_successful' = 'false')::float8 as unsuccessful,
              count(*) filter (where call_analysis ->> 'user_sentiment' = 'Positive')::float8 as positive,
              count(*) filter (where call_analysis ->> 'user_sentiment' = 'Negative')::float8 as negative,
              count(*) filter (where call_analysis ->> 'user_sentiment' = 'Neutral')::float8 as neutral,
              count(*) filter (where call_analysis ->> 'user_sentiment' not in ('Positive', 'Negative', 'Neutral'))::float8 as unknown,
              coalesce(sum((call_cost ->> 'combined_cost')::numeric), 0)::float8 as cost
         from (${base}) c where day between $3 and $4 group by 1, 2 order by 1, 2`,
      params,
    );
    const reasons = await t.db.query<{ day: string | null; agent_id: number | null; reason: string; calls: number }>(
      `select ${keys[0]} as day, ${keys[1]} as agent_id, disconnection_reason as reason, count(*)::float8 as calls
         from (${base}) c where day between $3 and $4 and disconnection_reason is not null group by 1, 2, 3`,
      params,
    );
    return totals.map((row) => ({
      ...(byDay && { day: row.day }),
      ...(byAgent && { agentId: row.agent_id }),
      calls: row.calls,
      connectedCalls: row.connected,
      totalDurationSeconds: row.total,
      averageDurationSeconds: Number(row.timed) > 0 ? Number(row.total) / Number(row.timed) : null,
      successfulCalls: row.successful,
      unsuccessfulCalls: row.unsuccessful,
      sentiment: { positive: row.positive, negative: row.negative, neutral: row.neutral, unknown: row.unknown },
      combinedCost: row.cost,
      topDisconnectionReasons: reasons
        .filter((r) => r.day === row.day && r.agent_id === row.agent_id)
        .sort((a, b) => b.calls - a.calls || (a.reason < b.reason ? -1 : 1))
        .slice(0, 5)
        .map(({ reason, calls }) => ({ reason, calls })),
    }));
  }

  const analytics = (user: TestUser | { apiKey: string }, query: Record<string, unknown>) => t.http.get('/analytics/calls').set(...authHeader(user)).query(query);

  it('every call was recorded once, whatever the order of its events', async () => {
    expect(await t.db.query("select count(*)::int as n from calls where retell_call_id like 'an-%'")).toEqual([{ n: 170 }]);
  });

  it('matches a plain aggregate over calls, by day, agent and both, in several time zones', async () => {
    for (const timezone of ZONES) {
      for (const groupBy of ['day', 'agent', 'day,agent']) {
        const query = { from: '2026-11-01', to: '2026-11-07', timezone, groupBy };
        const response = await analytics(alice, query).expect(200);
        expect(response.body).toEqual({ ...query, buckets: await plainAggregate(alice.id, timezone, groupBy, query.from, query.to) });
        expect(response.body.buckets.length).toBeGreaterThan(0);
      }
    }
  });

  it('local days differ by time zone, and a partial range cuts at local midnight', async () => {
    const kolkata = (await analytics(alice, { from: '2026-11-03', to: '2026-11-03', timezone: 'Asia/Kolkata' }).expect(200)).body.buckets;
    const utc = (await analytics(alice, { from: '2026-11-03', to: '2026-11-03', timezone: 'UTC' }).expect(200)).body.buckets;
    expect(kolkata).toEqual(await plainAggregate(alice.id, 'Asia/Kolkata', 'day', '2026-11-03', '2026-11-03'));
    expect(utc).toEqual(await plainAggregate(alice.id, 'UTC', 'day', '2026-11-03', '2026-11-03'));
    expect(kolkata[0].calls).not.toBe(utc[0].calls);
  });

  it('filters by agent; another tenant sees only its own calls, and another tenant’s agent is a 404', async () => {
    const query = { from: '2026-11-01', to: '2026-11-07', groupBy: 'day', agentId: agents[1]!.id, timezone: 'America/New_York' };
    const key = { apiKey: (await createApiKey(t.http, alice)).key };
    const response = await analytics(key, query).expect(200);
    expect(response.body.buckets).toEqual(await plainAggregate(alice.id, 'America/New_York', 'day', query.from, query.to, agents[1]!.id));
    const bobs = await analytics(bob, { from: '2026-11-01', to: '2026-11-07', groupBy: 'agent' }).expect(200);
    expect(bobs.body.buckets).toEqual(await plainAggregate(bob.id, 'UTC', 'agent', '2026-11-01', '2026-11-07'));
    expect(bobs.body.buckets.reduce((sum: number, b: { calls: number }) => sum + b.calls, 0)).toBe(20);
    await analytics(bob, { ...query, agentId: agents[0]!.id }).expect(404);
  });

  it('refuses bad ranges, time zones and groupings with a 400 naming the field', async () => {
    const field = async (query: Record<string, unknown>) => (await analytics(alice, query).expect(400)).body.details.map((d: { field: string }) => d.field);
    expect(await field({ from: '2026-11-01', to: '2026-10-01' })).toEqual(['to']);
    expect(await field({ from: '2026-02-30', to: '2026-03-01' })).toEqual(['from']);
    expect(await field({ from: '2026-01-01', to: '2027-01-02' })).toEqual(['to']);
    expect(await field({ from: '2026-11-01', to: '2026-11-02', timezone: 'Mars/Olympus' })).toEqual(['timezone']);
    expect(await field({ from: '2026-11-01', to: '2026-11-02', timezone: '+05:30' })).toEqual(['timezone']);
    expect(await field({ from: '2026-11-01', to: '2026-11-02', groupBy: 'week' })).toEqual(['groupBy']);
    expect(await field({ to: '2026-11-02' })).toEqual(['from']);
  });

  it('keeps the rollups equal to the calls when calls are deleted with their agent', async () => {
    const victim = agents[2]!;
    await t.http.delete(`/agents/${victim.id}`).set(...authHeader(alice)).expect(204);
    const query = { from: '2026-11-01', to: '2026-11-07', timezone: 'Asia/Kathmandu', groupBy: 'day,agent' };
    const response = await analytics(alice, query).expect(200);
    expect(response.body.buckets).toEqual(await plainAggregate(alice.id, 'Asia/Kathmandu', 'day,agent', query.from, query.to));
    expect(response.body.buckets.some((b: { agentId: number }) => b.agentId === victim.id)).toBe(false);
    const leftovers = await t.db.query('select * from call_rollups where agent_id = $1 and calls <> 0', [victim.id]);
    expect(leftovers).toEqual([]);
  });
});
