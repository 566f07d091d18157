// The analytics scenario (issue 14): GET /analytics/calls over 90 days grouped by day and agent, against the plain
// aggregate over `calls` the rollups stand for, in the same run and on the same data. Kept apart from run.mjs, which
// only calls benchAnalytics().

const FROM = '2024-01-01';
const TO = '2024-03-30';
const TIMEZONE = 'America/New_York';

/** The figures of GET /analytics/calls?groupBy=day,agent straight from `calls` (what the rollups must equal). */
async function plainAggregate(sql, userId) {
  const base = `select to_char((coalesce(started_at, created_at) at time zone 'UTC') at time zone $2, 'YYYY-MM-DD') as day, *
                  from calls where user_id = $1
                   and coalesce(started_at, created_at) >= ($3::date::timestamp at time zone $2) at time zone 'UTC'
                   and coalesce(started_at, created_at) < (($4::date + 1)::timestamp at time zone $2) at time zone 'UTC'`;
  const params = [userId, TIMEZONE, FROM, TO];
  const { rows: totals } = await sql.query(
    `select day, agent_id, count(*)::float8 as calls, count(*) filter (where status in ('ongoing', 'ended'))::float8 as connected,
            coalesce(sum(duration), 0)::float8 as total, count(duration)::float8 as timed,
            count(*) filter (where call_analysis -> 'call_successful' = 'true')::float8 as successful,
            count(*) filter (where call_analysis -> 'call_successful' = 'false')::float8 as unsuccessful,
            count(*) filter (where call_analysis ->> 'user_sentiment' = 'Positive')::float8 as positive,
            count(*) filter (where call_analysis ->> 'user_sentiment' = 'Negative')::float8 as negative,
            count(*) filter (where call_analysis ->> 'user_sentiment' = 'Neutral')::float8 as neutral,
            count(*) filter (where call_analysis ->> 'user_sentiment' not in ('Positive', 'Negative', 'Neutral'))::float8 as unknown,
            coalesce(sum(case when jsonb_typeof(call_cost -> 'combined_cost') = 'number' then (call_cost ->> 'combined_cost')::numeric end), 0)::float8 as cost
       from (${base}) c group by 1, 2 order by 1, 2`,
    params,
  );
  const { rows: reasons } = await sql.query(
    `select day, agent_id, disconnection_reason as reason, count(*)::float8 as calls
       from (${base}) c where disconnection_reason is not null group by 1, 2, 3`,
    params,
  );
  return totals.map((row) => ({
    day: row.day,
    agentId: row.agent_id,
    calls: row.calls,
    connectedCalls: row.connected,
    totalDurationSeconds: row.total,
    averageDurationSeconds: row.timed > 0 ? row.total / row.timed : null,
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

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Times `runs` sequential requests and `runs` plain aggregates (one warm-up each first); fails the run when their
 * numbers differ. Returns p50s in milliseconds.
 */
export async function benchAnalytics({ sql, base, headers, userId, runs, fail }) {
  const path = `/analytics/calls?from=${FROM}&to=${TO}&timezone=${encodeURIComponent(TIMEZONE)}&groupBy=day,agent`;
  const request = async () => {
    const response = await fetch(`${base}${path}`, { headers });
    const text = await response.text();
    if (response.status !== 200) fail(`GET ${path}: ${response.status} ${text}`);
    return JSON.parse(text);
  };
  const app = [];
  const plain = [];
  let answer = await request();
  let expected = await plainAggregate(sql, userId);
  for (let i = 0; i < runs; i++) {
    let started = performance.now();
    answer = await request();
    app.push(performance.now() - started);
    started = performance.now();
    expected = await plainAggregate(sql, userId);
    plain.push(performance.now() - started);
  }
  if (answer.buckets.length === 0) fail(`GET ${path}: no buckets`);
  if (JSON.stringify(answer.buckets) !== JSON.stringify(expected)) {
    fail(`analytics: the rollups and the plain aggregate differ:\n${JSON.stringify(answer.buckets).slice(0, 600)}\n${JSON.stringify(expected).slice(0, 600)}`);
  }
  return { appP50: median(app), plainP50: median(plain), buckets: answer.buckets.length, calls: answer.buckets.reduce((sum, b) => sum + b.calls, 0) };
}
