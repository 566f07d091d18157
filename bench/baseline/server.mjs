// The raw baseline for `npm run bench`: what the benchmarked routes cost with nothing but Fastify and `pg`, on the
// same database and schema as the app. It is the floor the app is measured against, so it does the same work a
// careful hand-written server would: the same API-key check (shape, SHA-256, one select with the owner), the same
// keyset queries, the same `Retell.verify` over the raw body, and the webhook's dedupe + merge as one statement.
// No validation library, no DI, no ORM, no request logging.
import { createHash } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';
import Retell from 'retell-sdk';

const port = Number(process.env.PORT ?? 3100);
const retellKey = process.env.RETELL_API_KEY ?? '';

let stopDatabase = async () => undefined;
let databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  // Cold-start comparison: the same embedded PostgreSQL start as the app's (needs `nest build` first).
  const { startEmbeddedPostgres } = await import('../../dist/src/database/embedded-postgres.js');
  const db = await startEmbeddedPostgres({ dir: process.env.EMBEDDED_PG_DIR ?? '.data/baseline-postgres' });
  databaseUrl = db.url;
  stopDatabase = db.stop;
}

// Columns are `timestamp without time zone` holding UTC (as in the app): read them as UTC, not as local time.
pg.types.setTypeParser(1114, (text) => new Date(`${text.replace(' ', 'T')}Z`));
const url = new URL(databaseUrl);
url.searchParams.set('options', '-c timezone=UTC');
const pool = new pg.Pool({ connectionString: url.toString(), max: Number(process.env.DB_POOL_MAX ?? 10) });

const app = Fastify({ logger: false });
// The signature is over the exact bytes Retell sent: keep them.
app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
  request.rawBody = body;
  try {
    done(null, body.length === 0 ? undefined : JSON.parse(body));
  } catch (error) {
    error.statusCode = 400;
    done(error);
  }
});

const KEY_SHAPE = /^rtm_live_[0-9A-Za-z]{36}$/;
const unauthorized = (reply) => reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'Authentication required' });

async function owner(request) {
  const key = request.headers['x-api-key'];
  if (typeof key !== 'string' || !KEY_SHAPE.test(key)) return undefined;
  const hash = createHash('sha256').update(key).digest('hex');
  const { rows } = await pool.query(
    `select k.id, k.user_id, k.is_active, k.expires_at, u.is_active as user_active
       from api_keys k join users u on u.id = k.user_id where k.api_key = $1`,
    [hash],
  );
  const row = rows[0];
  if (!row || !row.is_active || !row.user_active || (row.expires_at && row.expires_at <= new Date())) return undefined;
  return row.user_id;
}

app.get('/health', async () => {
  await pool.query('select 1');
  return { status: 'ok', database: 'up' };
});

app.get('/agents/:id', async (request, reply) => {
  const userId = await owner(request);
  if (userId === undefined) return unauthorized(reply);
  const id = Number(request.params.id);
  if (!Number.isSafeInteger(id) || id < 1) return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: 'id' });
  // Agent, its LLM configuration and its tools in one round trip.
  const { rows } = await pool.query(
    `select a.*, l.model, l.s2s_model, l.temperature, l.high_priority, l.general_prompt, l.begin_message, l.mcps,
            l.created_at as l_created_at, l.updated_at as l_updated_at,
            coalesce((select json_agg(t order by t.id) from agent_tools t where t.agent_id = a.id), '[]') as tools
       from agents a join llm_configurations l on l.agent_id = a.id
      where a.id = $1 and a.user_id = $2`,
    [id, userId],
  );
  const a = rows[0];
  if (!a) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'Agent not found' });
  return {
    id: a.id,
    name: a.name,
    description: a.description,
    voiceId: a.voice_id,
    isActive: a.is_active,
    retellAgentId: a.retell_agent_id,
    version: a.version,
    publishedVersion: a.published_version,
    isPublished: a.is_published,
    postCallAnalysis: a.post_call_analysis,
    language: a.language,
    maxCallDurationMs: a.max_call_duration_ms,
    endCallAfterSilenceMs: a.end_call_after_silence_ms,
    voicemail: a.voicemail,
    createdAt: a.created_at,
    updatedAt: a.updated_at,
    llmConfiguration: {
      agentId: a.id,
      model: a.model,
      s2sModel: a.s2s_model,
      temperature: a.temperature,
      highPriority: a.high_priority,
      generalPrompt: a.general_prompt,
      beginMessage: a.begin_message,
      mcps: a.mcps ?? [],
      createdAt: a.l_created_at,
      updatedAt: a.l_updated_at,
    },
    tools: a.tools.map((t) => ({
      id: t.id,
      agentId: t.agent_id,
      toolType: t.tool_type,
      name: t.name,
      toolConfig: t.tool_config,
      // json_agg gives timestamps as text with microseconds: a Date answers them to the ms, as the app does.
      createdAt: new Date(`${t.created_at}Z`),
      updatedAt: new Date(`${t.updated_at}Z`),
    })),
  };
});

const CALL_COLUMNS = `id, agent_id, retell_call_id, call_type, direction, from_number, to_number, status, duration, started_at,
  ended_at, disconnection_reason, recording_url, public_log_url, call_analysis, call_cost, metadata, dynamic_variables,
  created_at, updated_at,
  coalesce(contact_id, (select ct.id from contacts ct where ct.user_id = calls.user_id
    and ct.phone_number = case when calls.direction = 'outbound' then calls.to_number else calls.from_number end)) as contact_id`;

app.get('/calls', async (request, reply) => {
  const userId = await owner(request);
  if (userId === undefined) return unauthorized(reply);
  const limit = request.query.limit === undefined ? 20 : Number(request.query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: 'limit' });
  let after;
  if (request.query.cursor !== undefined) {
    try {
      after = JSON.parse(Buffer.from(String(request.query.cursor), 'base64url').toString('utf8'));
      if (typeof after.createdAt !== 'string' || typeof after.id !== 'number') throw new Error('cursor');
    } catch {
      return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: 'cursor' });
    }
  }
  // A row comparison is one range of the (user_id, created_at, id) index, however deep the page.
  const { rows } = after
    ? await pool.query(
        `select ${CALL_COLUMNS} from calls where user_id = $1 and (created_at, id) < ($2, $3)
          order by created_at desc, id desc limit $4`,
        [userId, new Date(after.createdAt), after.id, limit + 1],
      )
    : await pool.query(`select ${CALL_COLUMNS} from calls where user_id = $1 order by created_at desc, id desc limit $2`, [userId, limit + 1]);
  const items = rows.slice(0, limit).map((c) => ({
    id: c.id,
    agentId: c.agent_id,
    retellCallId: c.retell_call_id,
    callType: c.call_type,
    direction: c.direction,
    fromNumber: c.from_number,
    toNumber: c.to_number,
    status: c.status,
    durationSeconds: c.duration,
    startedAt: c.started_at,
    endedAt: c.ended_at,
    disconnectionReason: c.disconnection_reason,
    recordingUrl: c.recording_url,
    publicLogUrl: c.public_log_url,
    analysis: c.call_analysis,
    cost: c.call_cost,
    metadata: c.metadata,
    dynamicVariables: c.dynamic_variables,
    contactId: c.contact_id,
    createdAt: c.created_at,
    updatedAt: c.updated_at,
  }));
  const last = items[items.length - 1];
  const nextCursor =
    rows.length > limit ? Buffer.from(JSON.stringify({ createdAt: last.createdAt.toISOString(), id: last.id })).toString('base64url') : null;
  return { items, nextCursor };
});

const LIFECYCLE = new Set(['call_started', 'call_ended', 'call_analyzed']);
const TERMINAL = new Set(['ended', 'not_connected', 'error']);
const RANK_SQL = (column) =>
  `(case ${column} when 'ongoing' then 1 when 'ended' then 2 when 'not_connected' then 2 when 'error' then 2 else 0 end)`;

// Dedupe, raw event and the call's merge in ONE statement (one round trip, atomic without BEGIN/COMMIT): the event
// row is inserted first; only if it was new is the call upserted, with the same forward-only status and
// set-once/overwrite rules as the app's merge.
const INGEST_SQL = `
with ag as (select id, user_id from agents where retell_agent_id = $2),
ev as (
  insert into retell_webhook_events (event, retell_call_id, dedupe_key, payload, outcome, received_at)
  values ($1, $3, $4, $5::jsonb,
          case when not $6::boolean then 'ignored' when exists (select 1 from ag) then 'applied' else 'unknown_agent' end,
          now())
  on conflict (dedupe_key) do nothing
  returning outcome)
insert into calls (agent_id, user_id, retell_call_id, call_type, from_number, to_number, direction, status, started_at,
                   ended_at, duration, disconnection_reason, transcript, transcript_object, recording_url, public_log_url,
                   call_analysis, call_cost)
select ag.id, ag.user_id, $3, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17::jsonb, $18, $19, $20::jsonb, $21::jsonb
  from ag where exists (select 1 from ev where outcome = 'applied')
on conflict (retell_call_id) do update set
  status = case when ${RANK_SQL('excluded.status')} > ${RANK_SQL('calls.status')} then excluded.status else calls.status end,
  started_at = coalesce(calls.started_at, excluded.started_at),
  ended_at = coalesce(calls.ended_at, excluded.ended_at),
  duration = coalesce(excluded.duration, calls.duration,
    extract(epoch from coalesce(calls.ended_at, excluded.ended_at) - coalesce(calls.started_at, excluded.started_at))::int),
  disconnection_reason = coalesce(calls.disconnection_reason, excluded.disconnection_reason),
  transcript = coalesce(excluded.transcript, calls.transcript),
  transcript_object = coalesce(excluded.transcript_object, calls.transcript_object),
  recording_url = coalesce(excluded.recording_url, calls.recording_url),
  public_log_url = coalesce(excluded.public_log_url, calls.public_log_url),
  call_analysis = coalesce(excluded.call_analysis, calls.call_analysis),
  call_cost = coalesce(excluded.call_cost, calls.call_cost),
  agent_id = excluded.agent_id`;

const json = (value) => (value && typeof value === 'object' ? JSON.stringify(value) : null);
const time = (ms) => (typeof ms === 'number' ? new Date(ms) : null);

app.post('/webhooks/retell', async (request, reply) => {
  const signature = request.headers['x-retell-signature'];
  const valid =
    typeof request.rawBody === 'string' &&
    typeof signature === 'string' &&
    (await Retell.verify(request.rawBody, retellKey, signature).catch(() => false));
  if (!valid) return reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'Missing or invalid x-retell-signature' });
  const { event, call } = request.body ?? {};
  if (typeof event !== 'string' || (call !== undefined && typeof call?.call_id !== 'string')) {
    return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: 'Malformed webhook payload' });
  }
  const callId = call?.call_id ?? null;
  const lifecycle = Boolean(call) && LIFECYCLE.has(event);
  const dedupeKey = lifecycle ? `${callId}:${event}` : `${callId ?? '-'}:${event}:${createHash('sha256').update(request.rawBody).digest('hex')}`;
  const status =
    event === 'call_started' ? 'ongoing' : event === 'call_ended' || event === 'call_analyzed' ? (TERMINAL.has(call?.call_status) ? call.call_status : 'ended') : (call?.call_status ?? 'registered');
  await pool.query(INGEST_SQL, [
    event,
    call?.agent_id ?? null,
    callId,
    dedupeKey,
    request.rawBody,
    lifecycle,
    call?.call_type === 'web_call' ? 'web_call' : 'phone_call',
    call?.from_number ?? null,
    call?.to_number ?? null,
    call?.direction === 'outbound' ? 'outbound' : 'inbound',
    status,
    time(call?.start_timestamp),
    time(call?.end_timestamp),
    typeof call?.duration_ms === 'number' ? Math.round(call.duration_ms / 1000) : null,
    call?.disconnection_reason?.slice(0, 64) ?? null,
    call?.transcript || null,
    Array.isArray(call?.transcript_object) && call.transcript_object.length > 0 ? JSON.stringify(call.transcript_object) : null,
    call?.recording_url || null,
    call?.public_log_url || null,
    json(call?.call_analysis),
    json(call?.call_cost),
  ]);
  return reply.code(204).send();
});

const shutdown = async () => {
  await app.close();
  await pool.end();
  await stopDatabase();
  process.exit(0);
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
await app.listen({ port, host: '127.0.0.1' });
