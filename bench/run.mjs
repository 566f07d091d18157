// `npm run bench` (issue 7): the app against a raw Fastify + pg baseline, in one run, on one database.
// `npm run bench -- --smoke` is the seconds-long variant CI runs: it fails on harness breakage (errors, non-2xx),
// never on timings. See README.md "Benchmarks" for what each column means.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import Retell from 'retell-sdk';
import { benchAnalytics } from './analytics.mjs';
import { benchInbound } from './inbound.mjs';
import { benchCampaigns } from './campaigns.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SMOKE = process.argv.includes('--smoke');
const NO_BUILD = process.argv.includes('--no-build');
const CONFIG = SMOKE
  ? { calls: 5_000, warmup: 1, duration: 2, connections: 8, coldStarts: 1 }
  : { calls: 1_000_000, warmup: 3, duration: 10, connections: 16, coldStarts: 3 };
// For profiling runs: BENCH_CALLS / BENCH_DURATION override the sizes, BENCH_ONLY=agent,first,... picks scenarios,
// BENCH_APP_NODE_OPTIONS is given to the app's node (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`), BENCH_STATEMENTS=1
// lists each timed run's most frequent statements.
if (process.env.BENCH_CALLS) CONFIG.calls = Number(process.env.BENCH_CALLS);
if (process.env.BENCH_DURATION) CONFIG.duration = Number(process.env.BENCH_DURATION);
const ONLY = process.env.BENCH_ONLY?.split(',');
// The in-process Retell emulator's key: in emulator mode the app verifies webhook signatures with it.
const RETELL_KEY = 'key_local_emulator_0000000000000000';
// The app runs with the Node/V8 options `npm start` gives it (package.json `config.nodeOptions`): what production runs.
// BENCH_NODE_OPTIONS replaces them (BENCH_NODE_OPTIONS= for node's defaults), to measure what they cost or save.
const APP_NODE_OPTIONS = process.env.BENCH_NODE_OPTIONS ?? JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).config?.nodeOptions ?? '';
const NODE = process.execPath;
const children = new Set();
const log = (message) => console.error(`[bench] ${message}`);
// Whatever ends this process (a failure, an exception), the servers it started end with it.
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function fail(message) {
  log(`FAILED: ${message}`);
  for (const child of children) child.kill('SIGKILL');
  process.exit(1);
}

async function freePort() {
  const { freePort: find } = await import(join(ROOT, 'dist/src/database/embedded-postgres.js'));
  return find();
}

function start(name, args, env) {
  // An `undefined` in `env` removes the variable (e.g. DATABASE_URL for the cold start on the embedded server).
  const merged = Object.fromEntries(Object.entries({ ...process.env, ...env }).filter(([, value]) => value !== undefined));
  const child = spawn(NODE, args, { cwd: ROOT, env: merged, stdio: ['ignore', process.env.BENCH_VERBOSE ? 'inherit' : 'ignore', 'pipe'] });
  if (process.env.BENCH_VERBOSE) child.stderr.pipe(process.stderr);
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  children.add(child);
  child.on('exit', () => children.delete(child));
  child.output = () => stderr;
  child.label = name;
  return child;
}

async function waitHealthy(child, base, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) fail(`${child.label} exited (${child.exitCode}):\n${child.output()}`);
    try {
      const response = await fetch(`${base}/health`);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(10);
  }
  fail(`${child.label} not healthy within ${timeoutMs} ms:\n${child.output()}`);
}

async function stop(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(20_000).then(() => child.kill('SIGKILL'))]);
}

/** CPU time (user + system) a process has used so far, in ms, from /proc (clock ticks of 10 ms). */
function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/**
 * Peak resident set size of a process during `work` (sampled from /proc every 200 ms), in MB, and the CPU time it used
 * meanwhile (ms): CPU per request depends much less than req/s on what else the machine runs.
 */
async function withRss(pid, work) {
  let peak = 0;
  const sample = () => {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match) peak = Math.max(peak, Number(match[1]) / 1024);
    } catch {
      // process gone
    }
  };
  const timer = setInterval(sample, 200);
  try {
    sample();
    const cpuBefore = cpuMs(pid);
    const result = await work();
    const cpu = cpuMs(pid) - cpuBefore;
    sample();
    return { result, rssMb: peak, cpuMs: cpu };
  } finally {
    clearInterval(timer);
  }
}

async function api(base, method, path, body, headers = {}) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body && { 'content-type': 'application/json' }), ...headers },
    body: body && JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status >= 300) fail(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

// --- database ------------------------------------------------------------------------------------------------------

const work = mkdtempSync(join(tmpdir(), 'retell-bench-'));
// The embedded server runs as the `postgres` system user when we are root: it must reach the data folders.
chmodSync(work, 0o755);

if (!NO_BUILD) {
  log('building (npm run build)');
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) fail('npm run build failed');
}

let databaseUrl;
let dropDatabase = async () => undefined;
let stopDatabase = async () => undefined;
if (process.env.DATABASE_URL) {
  // A throwaway database on the given server, dropped at the end: the seed never touches existing data.
  const name = `retell_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(process.env.DATABASE_URL);
  url.pathname = `/${name}`;
  databaseUrl = url.toString();
  dropDatabase = async () => {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    await client.query(`drop database if exists ${name} with (force)`);
    await client.end();
  };
} else {
  const { startEmbeddedPostgres } = await import(join(ROOT, 'dist/src/database/embedded-postgres.js'));
  log('starting the embedded PostgreSQL (pg_stat_statements preloaded)');
  const db = await startEmbeddedPostgres({
    dir: join(work, 'pg'),
    database: 'bench',
    fast: true,
    settings: { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all', max_connections: '100' },
  });
  databaseUrl = db.url;
  stopDatabase = db.stop;
}
const sql = new pg.Client({ connectionString: databaseUrl });
await sql.connect();
// Counting statements needs pg_stat_statements; on an external server without it the column says n/a.
const canCount = await sql
  .query('create extension if not exists pg_stat_statements')
  .then(() => sql.query('select pg_stat_statements_reset()'))
  .then(() => true)
  .catch((error) => {
    log(`pg_stat_statements unavailable (${error.message}): SQL/request not measured`);
    return false;
  });

async function resetStatements() {
  if (canCount) await sql.query('select pg_stat_statements_reset()');
}
/**
 * Statements the servers executed in this database since the last reset (BEGIN/COMMIT included), less our own:
 * `all` with the statements triggers and functions ran inside them (`track = all`), `top` only those a server sent.
 */
async function countStatements() {
  if (!canCount) return undefined;
  const { rows } = await sql.query(
    `select coalesce(sum(calls), 0)::bigint as n, coalesce(sum(calls) filter (where toplevel), 0)::bigint as top
       from pg_stat_statements
      where dbid = (select oid from pg_database where datname = current_database()) and query not ilike '%pg_stat_statements%'`,
  );
  return { all: Number(rows[0].n), top: Number(rows[0].top) };
}

// --- the app and its seed ------------------------------------------------------------------------------------------

const appPort = await freePort();
const appBase = `http://127.0.0.1:${appPort}`;
const appEnv = {
  DATABASE_URL: databaseUrl,
  PORT: String(appPort),
  HOST: '127.0.0.1',
  PUBLIC_BASE_URL: appBase,
  NODE_ENV: 'production',
  // Production refuses to run on the emulator unless asked; the bench's emulator gets a free port and no state file,
  // so a bench never meets a running `npm start` (port 3199, .data/retell-emulator) or another bench.
  RETELL_MODE: 'emulator',
  RETELL_API_KEY: undefined,
  RETELL_EMULATOR_PORT: '0',
  RETELL_EMULATOR_PERSIST: 'false',
  JWT_SECRET: randomBytes(48).toString('base64'),
  // Request logging off on both sides: the comparison is framework + ORM, not log I/O.
  LOG_LEVEL: 'warn',
  NODE_OPTIONS: APP_NODE_OPTIONS,
};
log('starting the app (migrations run at start-up)');
const app = start('app', [...(process.env.BENCH_APP_NODE_OPTIONS?.split(' ') ?? []), 'dist/src/main.js'], appEnv);
await waitHealthy(app, appBase);

log('seeding a user, an API key and agents through the API');
const credentials = { username: `bench${process.pid}`, email: `bench${process.pid}@bench.example`, password: 'correct horse battery staple' };
await api(appBase, 'POST', '/auth/register', credentials);
const { accessToken } = await api(appBase, 'POST', '/auth/login', { login: credentials.username, password: credentials.password });
const bearer = { authorization: `Bearer ${accessToken}` };
const { key: apiKey } = await api(appBase, 'POST', '/api-keys', { keyName: 'bench' }, bearer);
const agents = [];
for (let i = 0; i < 3; i++) {
  agents.push(
    await api(
      appBase,
      'POST',
      '/agents',
      {
        name: `Bench agent ${i}`,
        description: 'Answers the front desk',
        voiceId: '11labs-Adrian',
        llmConfiguration: { model: 'gpt-4.1', temperature: 0.2, generalPrompt: 'You are a helpful receptionist.', beginMessage: 'Hello!' },
        tools: [
          { toolType: 'end_call', toolConfig: { name: 'end_call', description: 'Hang up politely' } },
          { toolType: 'custom', toolConfig: { name: 'lookup_order', description: 'Looks up an order', url: 'https://api.example.com/orders/lookup', method: 'POST' } },
        ],
      },
      bearer,
    ),
  );
}
const { rows: [{ id: userId }] } = await sql.query('select user_id as id from api_keys where key_name = $1', ['bench']);

log(`generating ${CONFIG.calls.toLocaleString('en')} calls in SQL`);
const seedStarted = Date.now();
// One call every 10 s, oldest first, round-robin over the agents. Every 4th call is still `ongoing`: those are the
// ones the webhook scenario ends, so each event is a real merge, not a no-op.
// Imported history, not news: the calls trigger (call events for issue 13, analytics rollups for issue 14) is off for
// the bulk insert, or the seed would also write ~2,250,000 events; the rollups are then built in one statement from
// the same per-call contribution the trigger uses (`call_rollup_contribution`), as the rollups' migration did.
await sql.query('alter table calls disable trigger calls_events_and_rollups');
await sql.query(
  `insert into calls (agent_id, user_id, retell_call_id, call_type, from_number, to_number, direction, status, duration,
                      started_at, ended_at, disconnection_reason, recording_url, call_cost, created_at, updated_at)
   select ($3::int[])[1 + i % cardinality($3::int[])], $2, 'bench_call_' || i, 'phone_call', '+14155550100', '+14155550199',
          case when i % 2 = 0 then 'outbound' else 'inbound' end,
          case when i % 4 = 0 then 'ongoing' else 'ended' end,
          case when i % 4 = 0 then null else 60 + i % 240 end,
          t, case when i % 4 = 0 then null else t + interval '90 seconds' end,
          case when i % 4 = 0 then null else 'user_hangup' end,
          case when i % 4 = 0 then null else 'https://recordings.example/' || i || '.wav' end,
          case when i % 4 = 0 then null else jsonb_build_object('combined_cost', 12 + i % 30) end,
          t, t
     from generate_series(1, $1::int) as i, lateral (select timestamp '2024-01-01' + i * interval '10 seconds' as t) as ts`,
  [CONFIG.calls, userId, agents.map((agent) => agent.id)],
);
await sql.query('alter table calls enable trigger calls_events_and_rollups');
{
  const measures = ['calls', 'connected_calls', 'duration_calls', 'duration_seconds', 'successful_calls', 'unsuccessful_calls',
    'sentiment_positive', 'sentiment_negative', 'sentiment_neutral', 'sentiment_unknown', 'combined_cost'];
  await sql.query(
    `insert into call_rollups as r
     select o.user_id, o.bucket, o.agent_id, o.disconnection_reason, ${measures.map((m) => `sum(o.${m})`).join(', ')}
       from calls c, lateral call_rollup_contribution(c) o
      where c.user_id = $1
      group by 1, 2, 3, 4
     on conflict (user_id, bucket, agent_id, disconnection_reason) do update set ${measures.map((m) => `${m} = r.${m} + excluded.${m}`).join(', ')}`,
    [userId],
  );
}
await sql.query('vacuum analyze calls');
log(`seeded in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s`);

// The cursor a client holds after paging ~90% of the way down (computed here with one OFFSET, once).
const depth = Math.floor(CONFIG.calls * 0.9);
const { rows: [position] } = await sql.query(
  `select to_char(created_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "createdAt", id from calls
    where user_id = $1 order by created_at desc, id desc offset $2 limit 1`,
  [userId, depth - 1],
);
const deepCursor = Buffer.from(JSON.stringify({ createdAt: position.createdAt, id: position.id })).toString('base64url');

// --- the baseline --------------------------------------------------------------------------------------------------

const basePort = await freePort();
const baseBase = `http://127.0.0.1:${basePort}`;
const baseline = start('baseline', ['bench/baseline/server.mjs'], { DATABASE_URL: databaseUrl, PORT: String(basePort), RETELL_API_KEY: RETELL_KEY });
await waitHealthy(baseline, baseBase);

// --- scenarios -----------------------------------------------------------------------------------------------------

const agentId = agents[0].id;
const { rows: ongoing } = await sql.query(
  `select c.retell_call_id, a.retell_agent_id from calls c join agents a on a.id = c.agent_id where c.status = 'ongoing' order by c.id`,
);
let nextOngoing = 0;

/** Signed call_ended events for distinct ongoing calls, signed just before use (signatures expire after 5 minutes). */
async function signedEvents(count) {
  const events = [];
  for (let i = 0; i < count && nextOngoing < ongoing.length; i++, nextOngoing++) {
    const { retell_call_id: callId, retell_agent_id: retellAgentId } = ongoing[nextOngoing];
    const now = Date.now();
    const body = JSON.stringify({
      event: 'call_ended',
      call: {
        call_id: callId,
        agent_id: retellAgentId,
        call_type: 'phone_call',
        call_status: 'ended',
        direction: 'inbound',
        from_number: '+14155550100',
        to_number: '+14155550199',
        start_timestamp: now - 95_000,
        end_timestamp: now - 5_000,
        duration_ms: 90_000,
        disconnection_reason: 'user_hangup',
        transcript: 'Agent: Hello! How can I help?\nUser: I would like to check my order.\nAgent: Of course, one moment.',
        transcript_object: [
          { role: 'agent', content: 'Hello! How can I help?' },
          { role: 'user', content: 'I would like to check my order.' },
          { role: 'agent', content: 'Of course, one moment.' },
        ],
        recording_url: `https://recordings.example/${callId}.wav`,
        public_log_url: `https://logs.example/${callId}.txt`,
        call_cost: { combined_cost: 17, total_duration_seconds: 90 },
      },
    });
    events.push({ body, signature: await Retell.sign(body, RETELL_KEY) });
  }
  return events;
}

function load(base, { path, headers = {}, events }, seconds) {
  return new Promise((resolve, reject) => {
    const options = { url: base, connections: CONFIG.connections, duration: seconds };
    if (events) {
      let next = 0;
      let repeated = 0;
      options.requests = [
        {
          method: 'POST',
          path,
          setupRequest: (request) => {
            if (next >= events.length) repeated++;
            const event = events[next++ % events.length];
            return { ...request, headers: { 'content-type': 'application/json', 'x-retell-signature': event.signature }, body: event.body };
          },
        },
      ];
      options.stats = () => ({ sent: next, repeated });
    } else {
      options.requests = [{ method: 'GET', path, headers }];
    }
    const instance = autocannon(options, (error, result) => {
      if (error) return reject(error);
      resolve({ ...result, eventStats: options.stats?.() });
    });
    autocannon.track(instance, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false });
  });
}

const keyHeader = { 'x-api-key': apiKey };
const SCENARIOS = [
  { id: 'agent', name: 'GET /agents/:id (API key)', path: `/agents/${agentId}`, headers: keyHeader, kind: 'read' },
  { id: 'first', name: 'GET /calls?limit=50, first page', path: '/calls?limit=50', headers: keyHeader, kind: 'read' },
  { id: 'deep', name: `GET /calls?limit=50, ${depth.toLocaleString('en')} rows deep`, path: `/calls?limit=50&cursor=${deepCursor}`, headers: keyHeader, kind: 'read' },
  { id: 'webhook', name: 'POST /webhooks/retell (call_ended, distinct calls)', path: '/webhooks/retell', kind: 'webhook' },
];

// Sanity: both servers answer every scenario with 2xx before anything is timed (the smoke relies on this too).
// Every read must also be the same JSON from both, so the baseline does the same work (and a faster read path in
// the app cannot quietly change what it answers).
for (const scenario of SCENARIOS.filter((s) => s.kind === 'read' && (!ONLY || ONLY.includes(s.id)))) {
  const bodies = [];
  for (const [label, base] of [['app', appBase], ['baseline', baseBase]]) {
    const body = await api(base, 'GET', scenario.path, undefined, scenario.headers);
    const count = Array.isArray(body.items) ? body.items.length : body.tools?.length;
    if (!count) fail(`${label} ${scenario.path}: unexpected body ${JSON.stringify(body).slice(0, 300)}`);
    bodies.push(JSON.stringify(body));
  }
  if (bodies[0] !== bodies[1]) {
    fail(`${scenario.path}: the app and the baseline answer differently:\n${bodies[0].slice(0, 600)}\n${bodies[1].slice(0, 600)}`);
  }
}

// Events per run: enough distinct calls for the fastest server to never repeat one in the full run.
// Each server gets its own half of the ongoing calls, a quarter of that for its warm-up.
// The last ongoing calls are kept for the partner-webhooks scenario (its own app run, after the others).
const EVENTS = SMOKE ? { rate: 20, seconds: 2, backlog: 400, concurrency: 16 } : { rate: 100, seconds: 10, backlog: 20_000, concurrency: 16 };
const eventCalls = ongoing.splice(ongoing.length - Math.min(EVENTS.rate * EVENTS.seconds, Math.floor(ongoing.length / 4)));
const perServer = Math.floor(ongoing.length / 2);
const eventsPerWarmup = Math.min(20_000, Math.floor(perServer / 4));
const eventsPerRun = Math.min(60_000, perServer - eventsPerWarmup);
if (eventsPerWarmup === 0) fail('too few calls to sign webhook events for');
const results = {};
for (const scenario of SCENARIOS) {
  if (ONLY && !ONLY.includes(scenario.id)) continue;
  for (const [label, base, child] of [['ours', appBase, app], ['base', baseBase, baseline]]) {
    log(`${scenario.name} — ${label}`);
    const target = { ...scenario };
    if (scenario.kind === 'webhook') target.events = await signedEvents(eventsPerWarmup);
    await load(base, target, CONFIG.warmup);
    if (scenario.kind === 'webhook') target.events = await signedEvents(eventsPerRun);
    await resetStatements();
    const { result, rssMb, cpuMs: cpu } = await withRss(child.pid, () => load(base, target, CONFIG.duration));
    const statements = await countStatements();
    if (process.env.BENCH_STATEMENTS && canCount) {
      // BENCH_STATEMENTS=1: what the run's statements were (top-level or nested in a trigger), most frequent first.
      const { rows: top } = await sql.query(
        `select calls, toplevel, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) as query from pg_stat_statements
          where dbid = (select oid from pg_database where datname = current_database()) and query not ilike '%pg_stat_statements%'
          order by calls desc limit 8`,
      );
      for (const row of top) log(`  ${String(row.calls).padStart(7)} ${row.toplevel ? 'top   ' : 'nested'} ${row.query}`);
    }
    results[`${scenario.id}:${label}`] = {
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      total: result.requests.total,
      errors: result.errors + result.timeouts + result.non2xx,
      rssMb,
      cpuPerRequest: result.requests.total === 0 ? undefined : cpu / result.requests.total,
      sqlPerRequest: statements === undefined || result.requests.total === 0 ? undefined : statements.all / result.requests.total,
      topSqlPerRequest: statements === undefined || result.requests.total === 0 ? undefined : statements.top / result.requests.total,
      events: result.eventStats,
    };
  }
}
// Issue 14: analytics from the rollups against the plain aggregate (bench/analytics.mjs).
const analytics = !ONLY || ONLY.includes('analytics') ? await benchAnalytics({ sql, base: appBase, headers: { 'x-api-key': apiKey }, userId, runs: SMOKE ? 3 : 15, fail }) : undefined;
// Issue 14: our answer to Retell's call_inbound for a routed number (bench/inbound.mjs).
const inbound = !ONLY || ONLY.includes('inbound') ? await benchInbound({ sql, base: appBase, userId, agentId, retellKey: RETELL_KEY, runs: SMOKE ? 200 : 5_000, fail, resetStatements, countStatements }) : undefined;
// How many events were applied is read back from the database, not assumed.
const { rows: [applied] } = await sql.query(`select count(*)::int as n from retell_webhook_events where outcome = 'applied'`);

await stop(baseline);
await stop(app);
const eventsResult = ONLY && !ONLY.includes('events') ? undefined : await eventsScenario();
// Issue 15: a 10,000-target campaign against the ideal rate of its workspace limit (bench/campaigns.mjs).
const campaignsResult = ONLY && !ONLY.includes('campaigns') ? undefined : await benchCampaigns({ root: ROOT, start, waitHealthy, stop, api, freePort, appEnv, sql, fail, log, smoke: SMOKE });
await sql.end();
await dropDatabase();
await stopDatabase();

// --- partner webhooks (issue 13) -------------------------------------------------------------------------------------

/**
 * A receiver for the tenant's two endpoints, in this process, and the app restarted with the development switch that
 * allows a loopback receiver (NODE_ENV=development, URLS_ALLOW_PRIVATE=true; everything else as above). Part 1: signed
 * call_ended webhooks at a steady rate, each for a distinct ongoing call → p50/p99 from our 2xx to Retell until the
 * receiver has the call.ended delivery (two per event). Part 2: a backlog of deliveries made while the app is down,
 * drained after it starts, against a plain fetch loop posting the same bodies at the same concurrency.
 */
async function eventsScenario() {
  const arrivals = []; // { path, id, at, callId }
  const receiver = createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const at = performance.now();
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        arrivals.push({ path: request.url, id: body.id, at, callId: body.data?.retellCallId, type: body.type });
      } catch {
        arrivals.push({ path: request.url, id: undefined, at });
      }
      response.writeHead(204).end();
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverUrl = `http://127.0.0.1:${receiver.address().port}`;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { ...appEnv, PORT: String(port), PUBLIC_BASE_URL: base, NODE_ENV: 'development', URLS_ALLOW_PRIVATE: 'true', WEBHOOK_CONCURRENCY: String(EVENTS.concurrency) };
  const startApp = async () => {
    const child = start('app (webhooks)', [...(process.env.BENCH_APP_NODE_OPTIONS?.split(' ') ?? []), 'dist/src/main.js'], env);
    await waitHealthy(child, base);
    return child;
  };
  // Events of the earlier scenarios (no endpoint existed) are history here: only this scenario's events are measured.
  await sql.query('update events set dispatched_at = now() where dispatched_at is null');
  let child = await startApp();
  const { accessToken: token } = await api(base, 'POST', '/auth/login', { login: credentials.username, password: credentials.password });
  const auth = { authorization: `Bearer ${token}` };
  for (const path of ['/a', '/b']) await api(base, 'POST', '/webhook-endpoints', { url: `${receiverUrl}${path}`, description: `bench ${path}` }, auth);

  log(`partner webhooks: ${eventCalls.length} Retell webhooks at ${EVENTS.rate}/s, two endpoints`);
  const acked = new Map();
  let webhookErrors = 0;
  const started = performance.now();
  const sends = [];
  for (let i = 0; i < eventCalls.length; i++) {
    const due = started + (i * 1000) / EVENTS.rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const { retell_call_id: callId, retell_agent_id: agentId } = eventCalls[i];
    const now = Date.now();
    const body = JSON.stringify({
      event: 'call_ended',
      call: { call_id: callId, agent_id: agentId, call_type: 'phone_call', call_status: 'ended', direction: 'inbound', from_number: '+14155550100', to_number: '+14155550199', start_timestamp: now - 95_000, end_timestamp: now - 5_000, duration_ms: 90_000, disconnection_reason: 'user_hangup' },
    });
    const signature = await Retell.sign(body, RETELL_KEY);
    sends.push(
      fetch(`${base}/webhooks/retell`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-retell-signature': signature }, body })
        .then(async (response) => {
          await response.arrayBuffer();
          if (response.status >= 300) webhookErrors++;
          else acked.set(callId, performance.now());
        })
        .catch(() => webhookErrors++),
    );
  }
  await Promise.all(sends);
  const expected = acked.size * 2;
  const callEnded = () => arrivals.filter((a) => a.type === 'call.ended' && acked.has(a.callId));
  const deadline = Date.now() + 120_000;
  while (callEnded().length < expected && Date.now() < deadline) await sleep(50);
  const latencies = callEnded().map((a) => a.at - acked.get(a.callId)).sort((x, y) => x - y);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))];
  const latency = { sent: eventCalls.length, acked: acked.size, errors: webhookErrors, expected, delivered: latencies.length, p50: pct(50), p99: pct(99) };
  if (process.env.BENCH_STATEMENTS) {
    // Profiling aid: where the latency went, from the database's clock — event written → delivery rows made (the
    // relay) → attempt claimed (the delivery loop).
    const { rows: [lag] } = await sql.query(
      `select percentile_cont(0.5) within group (order by relay) as relay50, percentile_cont(0.99) within group (order by relay) as relay99,
              percentile_cont(0.5) within group (order by claim) as claim50, percentile_cont(0.99) within group (order by claim) as claim99
         from (select extract(epoch from d.created_at - e.created_at) * 1000 as relay, extract(epoch from d.last_attempt_at - d.created_at) * 1000 as claim
                 from webhook_deliveries d join events e on e.id = d.event_id where e.type = 'call.ended') as x`,
    );
    const { rows: retried } = await sql.query(
      `select attempts, status, left(coalesce(last_error, ''), 80) as error, count(*)::int as n from webhook_deliveries group by 1, 2, 3 order by n desc limit 5`,
    );
    for (const row of retried) log(`  deliveries: ${row.n} × attempts ${row.attempts} ${row.status} ${row.error}`);
    const ms = (value) => Math.round(Number(value));
    log(`  lag ms: relay p50 ${ms(lag.relay50)} p99 ${ms(lag.relay99)}, claim p50 ${ms(lag.claim50)} p99 ${ms(lag.claim99)}`);
  }

  log(`partner webhooks: a backlog of ${EVENTS.backlog.toLocaleString('en')} deliveries`);
  await stop(child);
  const backlogEvents = EVENTS.backlog / 2;
  const { rows: [range] } = await sql.query(
    `with made as (
       insert into events (user_id, type, data, created_at)
       select $1, 'agent.updated', jsonb_build_object('bench', i, 'padding', repeat('x', 600)), now() from generate_series(1, $2::int) as i
       returning id)
     select min(id)::int as first, max(id)::int as last from made`,
    [userId, backlogEvents],
  );
  const isBacklog = (a) => a.id >= range.first && a.id <= range.last;
  child = await startApp();
  // Load-independent cost of the drain: statements (pg_stat_statements) and CPU (the app's and the database server's)
  // from the moment the app is healthy, divided by the deliveries that arrived after that moment.
  await resetStatements();
  const costFrom = { at: performance.now(), appCpu: cpuSeconds(child.pid), dbCpu: databaseCpuSeconds() };
  const drainDeadline = Date.now() + (SMOKE ? 60_000 : 600_000);
  while (arrivals.filter(isBacklog).length < EVENTS.backlog && Date.now() < drainDeadline) await sleep(100);
  const drained = arrivals.filter(isBacklog);
  const keys = new Set(drained.map((a) => `${a.path}:${a.id}`));
  const drainSeconds = drained.length > 1 ? (drained[drained.length - 1].at - drained[0].at) / 1000 : NaN;
  const costed = drained.filter((a) => a.at >= costFrom.at).length;
  const statements = await countStatements();
  if (process.env.BENCH_STATEMENTS && canCount) {
    // Profiling aid: which statements the drain ran, most frequent first.
    const { rows: top } = await sql.query(
      `select calls, round(total_exec_time)::int as ms, left(regexp_replace(query, '\\s+', ' ', 'g'), 160) as query from pg_stat_statements
        where dbid = (select oid from pg_database where datname = current_database()) and query not ilike '%pg_stat_statements%'
        order by calls desc limit 20`,
    );
    for (const row of top) log(`  ${row.calls} calls, ${row.ms} ms: ${row.query}`);
  }
  const cost = {
    deliveries: costed,
    sql: statements === undefined || costed === 0 ? undefined : statements.all / costed,
    appCpuMs: costed === 0 ? undefined : ((cpuSeconds(child.pid) - costFrom.appCpu) * 1000) / costed,
    dbCpuMs: costed === 0 || costFrom.dbCpu === undefined ? undefined : ((databaseCpuSeconds() - costFrom.dbCpu) * 1000) / costed,
  };
  await stop(child);

  log(`partner webhooks: a plain fetch loop, ${EVENTS.concurrency} at a time, same bodies`);
  const sample = JSON.stringify({ id: 1, type: 'agent.updated', createdAt: new Date().toISOString(), data: { bench: 1, padding: 'x'.repeat(600) } });
  let next = 0;
  const loopStarted = performance.now();
  await Promise.all(
    Array.from({ length: EVENTS.concurrency }, async () => {
      while (next < EVENTS.backlog) {
        next++;
        const response = await fetch(`${receiverUrl}/plain`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: sample });
        await response.arrayBuffer();
      }
    }),
  );
  const loopSeconds = (performance.now() - loopStarted) / 1000;
  await new Promise((resolve) => receiver.close(resolve));
  return {
    latency,
    drain: { deliveries: drained.length, distinct: keys.size, expected: EVENTS.backlog, rate: drained.length / drainSeconds, cost },
    plain: { rate: EVENTS.backlog / loopSeconds },
  };
}

/** user + system CPU seconds of a process (from /proc), 0 when it is gone. */
function cpuSeconds(pid, withChildren = false) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // fields[0] is field 3 (state): utime 14, stime 15, cutime 16, cstime 17 → indexes 11..14.
    const ticks = Number(fields[11]) + Number(fields[12]) + (withChildren ? Number(fields[13]) + Number(fields[14]) : 0);
    return ticks / 100;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds of the embedded PostgreSQL: the postmaster (with its reaped backends) and its live children. Undefined
 * on an external server (DATABASE_URL), whose processes are not ours to find.
 */
function databaseCpuSeconds() {
  if (process.env.DATABASE_URL) return undefined;
  const dataDir = join(work, 'pg');
  let total = 0;
  let postmaster;
  const processes = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      processes.push({ pid: Number(entry), ppid: Number(stat.split(') ')[1].split(' ')[1]) });
      if (!postmaster && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(dataDir)) postmaster = Number(entry);
    } catch {
      // gone
    }
  }
  if (!postmaster) return undefined;
  total += cpuSeconds(postmaster, true);
  for (const { pid, ppid } of processes) if (ppid === postmaster) total += cpuSeconds(pid);
  return total;
}

// --- cold starts ---------------------------------------------------------------------------------------------------

/** Process start → first 200 from /health, with the embedded PostgreSQL started by the process itself. */
async function coldStart(label, args, env) {
  const port = await freePort();
  const started = process.hrtime.bigint();
  const child = start(label, args, { ...env, PORT: String(port), DATABASE_URL: undefined, EMBEDDED_PG_PORT: '0' });
  await waitHealthy(child, `http://127.0.0.1:${port}`);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const rssMb = await withRss(child.pid, async () => undefined).then((r) => r.rssMb);
  await stop(child);
  return { ms, rssMb };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const cold = {};
const coldRuns = ONLY && !ONLY.includes('cold') ? [] : [
  ['ours', ['dist/src/main.js'], { ...appEnv, EMBEDDED_PG_DIR: join(work, 'cold-app') }],
  ['base', ['bench/baseline/server.mjs'], { RETELL_API_KEY: RETELL_KEY, EMBEDDED_PG_DIR: join(work, 'cold-base') }],
];
for (const [label, args, env] of coldRuns) {
  log(`cold start — ${label}`);
  // The first start also runs initdb (and, for the app, every migration); later ones find the cluster in place.
  const first = await coldStart(label, args, env);
  const again = [];
  for (let i = 0; i < CONFIG.coldStarts; i++) again.push(await coldStart(label, args, env));
  cold[`fresh:${label}`] = first;
  cold[`restart:${label}`] = { ms: median(again.map((r) => r.ms)), rssMb: median(again.map((r) => r.rssMb)) };
}
rmSync(work, { recursive: true, force: true });

// --- the table -----------------------------------------------------------------------------------------------------

const fmt = (value, digits = 0) => (value === undefined || Number.isNaN(value) ? 'n/a' : value.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const ratio = (ours, base) => (base ? `${(ours / base).toFixed(2)}×` : 'n/a');
const rows = [];
const verdicts = [];
function check(ok, text) {
  verdicts.push(text);
  return ok === undefined ? 'n/a' : ok ? 'PASS' : 'MISS';
}
for (const scenario of SCENARIOS) {
  const ours = results[`${scenario.id}:ours`];
  const base = results[`${scenario.id}:base`];
  if (!ours) continue;
  const targets = [];
  if (scenario.kind === 'read') {
    targets.push([ours.rps >= 0.6 * base.rps, 'req/s ≥ 0.6× base']);
    targets.push([ours.p99 <= 2 * Math.max(base.p99, 1), 'p99 ≤ 2× base']);
  } else {
    targets.push([ours.rps >= 0.5 * base.rps, 'req/s ≥ 0.5× base']);
  }
  if (scenario.id === 'deep' && results['first:ours']) {
    const first = results['first:ours'];
    targets.push([ours.rps * 1.5 >= first.rps, 'req/s ≥ first page / 1.5']);
  }
  if (ours.sqlPerRequest !== undefined) targets.push([ours.sqlPerRequest <= 3.05, '≤ 3 SQL/req']);
  rows.push([
    scenario.name,
    `${fmt(ours.rps)} / ${fmt(base.rps)} (${ratio(ours.rps, base.rps)})`,
    `${fmt(ours.p50)} / ${fmt(base.p50)}`,
    `${fmt(ours.p99)} / ${fmt(base.p99)} (${ratio(ours.p99, Math.max(base.p99, 1))})`,
    `${ours.errors} / ${base.errors}`,
    `${fmt(ours.rssMb)} / ${fmt(base.rssMb)}`,
    `${fmt(ours.cpuPerRequest, 2)} / ${fmt(base.cpuPerRequest, 2)} (${ratio(ours.cpuPerRequest, base.cpuPerRequest)})`,
    `${fmt(ours.sqlPerRequest, 2)} / ${fmt(base.sqlPerRequest, 2)}` +
      (ours.sqlPerRequest !== undefined && ours.topSqlPerRequest !== ours.sqlPerRequest ? ` (top-level ${fmt(ours.topSqlPerRequest, 2)} / ${fmt(base.topSqlPerRequest, 2)})` : ''),
    targets.map(([ok, text]) => `${check(ok, text)} ${text}`).join('; '),
  ]);
}
// Memory under load: the highest RSS either server reached in any timed run above (sampled every 200 ms).
const peaks = Object.entries(results).reduce(
  (peak, [key, r]) => (key.endsWith(':ours') ? { ...peak, ours: Math.max(peak.ours, r.rssMb) } : { ...peak, base: Math.max(peak.base, r.rssMb) }),
  { ours: 0, base: 0 },
);
if (peaks.ours > 0) {
  rows.push([
    'peak RSS under load (all runs above)',
    '',
    '',
    '',
    '',
    `${fmt(peaks.ours)} / ${fmt(peaks.base)} (${ratio(peaks.ours, peaks.base)})`,
    '',
    '',
    `${check(peaks.ours <= 2.5 * peaks.base, 'RSS ≤ 2.5× base')} RSS ≤ 2.5× base`,
  ]);
}
for (const kind of ['restart', 'fresh']) {
  const ours = cold[`${kind}:ours`];
  const base = cold[`${kind}:base`];
  if (!ours) continue;
  rows.push([
    kind === 'restart' ? `cold start to /health 200 (median of ${CONFIG.coldStarts})` : 'first start (initdb + migrations)',
    '',
    `${fmt(ours.ms)} ms / ${fmt(base.ms)} ms (${ratio(ours.ms, base.ms)})`,
    '',
    '',
    `${fmt(ours.rssMb)} / ${fmt(base.rssMb)}`,
    '',
    '',
    kind === 'restart' ? `${check(ours.ms <= 3000, '≤ 3 s')} ≤ 3 s` : 'info',
  ]);
}

const header = ['scenario', 'req/s ours / base (ratio)', 'p50 ms ours / base', 'p99 ms ours / base (ratio)', 'errors', 'RSS MB', 'CPU ms/req ours / base (ratio)', 'SQL/req', 'targets'];
const lines = [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`);
console.log(`\n${SMOKE ? 'SMOKE (timings not meaningful) — ' : ''}${CONFIG.calls.toLocaleString('en')} calls, autocannon ${CONFIG.connections} connections, ${CONFIG.warmup} s warm-up + ${CONFIG.duration} s per run, Node ${process.version}, app NODE_OPTIONS="${APP_NODE_OPTIONS}"\n`);
console.log(lines.join('\n'));
const ours = results['webhook:ours'];
const base = results['webhook:base'];
if (ours) console.log(
  `\nwebhooks: ${ours.events.sent} events sent to ours (${ours.events.repeated} repeats of an already-sent event), ${base.events.sent} to the baseline (${base.events.repeated} repeats); ` +
    `${applied.n} events applied in total, warm-ups included. ` +
    (canCount
      ? 'SQL/req counts every statement the server ran (BEGIN/COMMIT included), from pg_stat_statements, with the ones triggers ran inside them; "top-level" counts only those the server sent.'
      : 'SQL/req: n/a, this server has no pg_stat_statements preloaded (the embedded one does).'),
);

if (eventsResult) {
  const { latency, drain, plain } = eventsResult;
  console.log(
    `\npartner webhooks (two endpoints): ${latency.sent} Retell webhooks at ${EVENTS.rate}/s, ${latency.errors} errors; ` +
      `${latency.delivered}/${latency.expected} call.ended deliveries; our 2xx → receiver p50 ${fmt(latency.p50)} ms, p99 ${fmt(latency.p99)} ms ` +
      `(${check(latency.p50 <= 250, 'p50 ≤ 250 ms')} p50 ≤ 250 ms at 100 events/s)\n` +
      `backlog: ${drain.deliveries.toLocaleString('en')}/${drain.expected.toLocaleString('en')} delivered (${drain.distinct.toLocaleString('en')} distinct), ` +
      `${fmt(drain.rate)} deliveries/s against a plain fetch loop's ${fmt(plain.rate)}/s at ${EVENTS.concurrency} in flight ` +
      `(${ratio(drain.rate, plain.rate)}; ${check(drain.rate >= 0.5 * plain.rate, '≥ 0.5× fetch loop')} ≥ 0.5×)\n` +
      `backlog cost per delivery (over the ${drain.cost.deliveries.toLocaleString('en')} delivered after start-up): ` +
      `${drain.cost.sql === undefined ? 'n/a' : fmt(drain.cost.sql, 2)} SQL statements, ${fmt(drain.cost.appCpuMs, 3)} ms app CPU, ` +
      `${drain.cost.dbCpuMs === undefined ? 'n/a' : fmt(drain.cost.dbCpuMs, 3)} ms PostgreSQL CPU`,
  );
}
if (analytics) console.log(
  `\nanalytics, 90 days by day and agent (${analytics.buckets} buckets, ${analytics.calls.toLocaleString('en')} calls): p50 ${fmt(analytics.appP50, 1)} ms from the rollups (HTTP) / ` +
    `${fmt(analytics.plainP50, 1)} ms plain aggregate over calls (SQL only) (${ratio(analytics.plainP50, analytics.appP50)}); identical numbers; ` +
    `${check(analytics.plainP50 >= 10 * analytics.appP50, '≥ 10× faster')} ≥ 10× faster`,
);
if (inbound) console.log(
  `\ninbound calls, call_inbound answered from the rules (signed, office hours in a time zone, contact lookup, no tenant URL; ` +
    `${inbound.runs.toLocaleString('en')} sequential requests, ${inbound.greeted.toLocaleString('en')} callers greeted by name): ` +
    `p50 ${fmt(inbound.p50, 1)} ms, p99 ${fmt(inbound.p99, 1)} ms (${check(inbound.p99 <= 50, 'p99 ≤ 50 ms')} p99 ≤ 50 ms); ` +
    `${inbound.sqlPerRequest === undefined ? 'SQL/req n/a' : `${fmt(inbound.sqlPerRequest, 2)} SQL/req (less ${fmt(inbound.backgroundPerSecond, 1)}/s of background statements measured idle)`}; ` +
    `GET /health between them (the machine's floor): p50 ${fmt(inbound.floorP50, 1)} ms, p99 ${fmt(inbound.floorP99, 1)} ms`,
);

if (campaignsResult) {
  const c = campaignsResult;
  console.log(
    `\ncampaign (${c.targets.toLocaleString('en')} targets, workspace limit ${c.limit}, calls talking ${c.callMs} ms, average line held ${fmt(c.averageMs)} ms): ` +
      `${c.calls.toLocaleString('en')} calls in ${fmt(c.seconds, 1)} s = ${fmt(c.throughput, 1)} calls/s against the ideal ${fmt(c.ideal, 1)} calls/s (limit ÷ average) ` +
      `(${ratio(c.throughput, c.ideal)}; ${check(c.throughput >= 0.8 * c.ideal, '≥ 0.8× ideal')} ≥ 0.8×); double dials ${c.doubleDials}, lost targets ${c.lost}, ` +
      `peak concurrency ${c.peak} (${check(c.doubleDials === 0 && c.lost === 0 && c.peak <= c.limit, '0, 0, ≤ limit')} 0, 0, ≤ ${c.limit})`,
  );
}

// The smoke asserts the harness, never the timings: every request answered, all 2xx.
if (campaignsResult) {
  const c = campaignsResult;
  if (c.status !== 'completed' || c.doubleDials > 0 || c.lost > 0 || c.peak > c.limit) {
    fail(`campaign: status ${c.status}, ${c.doubleDials} double dials, ${c.lost} lost targets, peak ${c.peak} (limit ${c.limit})`);
  }
}
if (eventsResult) {
  const { latency, drain } = eventsResult;
  if (latency.errors > 0 || latency.delivered !== latency.expected || latency.expected === 0) fail(`partner webhooks: ${latency.delivered}/${latency.expected} deliveries, ${latency.errors} errors`);
  if (drain.deliveries !== drain.expected || drain.distinct !== drain.expected) fail(`partner webhooks backlog: ${drain.deliveries} deliveries, ${drain.distinct} distinct, ${drain.expected} expected (lost or duplicated)`);
}
const broken = Object.entries(results).filter(([, r]) => r.errors > 0 || r.total === 0);
if (broken.length > 0) fail(`errors or non-2xx answers in: ${broken.map(([name]) => name).join(', ')}`);
