import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import pg from 'pg';
import { closeApp } from '../src/app.setup.js';
import { bootTestApp, type TestApp } from './support/app.js';
import { authHeader } from './support/agents.js';
import { createUser } from './support/factories.js';
import { eventually, WebhookReceiver } from './support/webhook-receiver.js';
import { QUEUE_PLAN_SQL } from '../src/jobs/jobs.service.js';
import { UNDISPATCHED_SQL } from '../src/jobs/outbox-relay.js';
import { CLAIM_SQL, RECORD_SQL } from '../src/webhook-endpoints/webhook-delivery.worker.js';

jest.setTimeout(120_000);

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Subplan Name'?: string;
  Plans?: PlanNode[];
}

const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];

async function explain(url: string, sql: string, params: unknown[], setup?: string): Promise<PlanNode[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('begin');
    if (setup) await client.query(setup);
    const { rows } = await client.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`explain (format json) ${sql}`, params);
    return nodes(rows[0]!['QUERY PLAN'][0]!.Plan);
  } finally {
    await client.query('rollback');
    await client.end();
  }
}

/**
 * The queues' statements (the relay's and the delivery loop's) keep their plans when the tables' statistics lag
 * behind them — a backlog of thousands of events and deliveries made faster than autovacuum analyzes (an outage's
 * catch-up): claims walk their partial index in order instead of reading and sorting every due row, and the recording
 * probes the primary key per outcome instead of scanning the table. An `api` instance runs no relay and no delivery
 * loop, so the rows stay as inserted. (20,000 rows: the size at which PostgreSQL 15 plans the delivery claim with a
 * bitmap scan and a sort when the settings are left out.)
 */
describe('webhook delivery queue: plans that do not depend on fresh statistics (e2e)', () => {
  let t: TestApp;
  let ids: number[];

  beforeAll(async () => {
    t = await bootTestApp({ APP_ROLE: 'api', URLS_ALLOW_PRIVATE: 'true' });
    const user = await createUser(t.http);
    const endpoint = (await t.http.post('/webhook-endpoints').set(...authHeader(user)).send({ url: 'http://127.0.0.1:9/hook' }).expect(201)).body as { id: number };
    await t.db.query(
      `with made as (
         insert into events (user_id, type, data, dispatched_at)
         select $1, 'agent.updated', jsonb_build_object('n', i), now() from generate_series(1, 20000) as i returning id, user_id)
       insert into webhook_deliveries (endpoint_id, event_id, user_id, status, attempts, next_attempt_at)
       select $2, id, user_id, 'pending', 0, now() - interval '1 second' from made`,
      [user.id, endpoint.id],
    );
    ids = (await t.db.query<{ id: number }>('select id from webhook_deliveries order by id limit 8')).map((row) => row.id);
    // And a backlog of events no relay has seen (no relay runs here either).
    await t.db.query(`insert into events (user_id, type, data) select $1, 'agent.updated', jsonb_build_object('n', i) from generate_series(1, 20000) as i`, [user.id]);
  });
  afterAll(async () => {
    await t.close();
  });

  it('a claim reads the first due entries of the due index in order, then locks them by primary key (no bitmap scan)', async () => {
    const plan = await explain(t.db.url, CLAIM_SQL, [16, 35, randomUUID(), [], [], [], 15], QUEUE_PLAN_SQL);
    // The scan: a limit straight over the due index, in its order (the sorts above it see at most 4 × 16 rows).
    const scans = plan.filter((node) => node['Relation Name'] === 'webhook_deliveries' && node['Node Type'] !== 'ModifyTable');
    const limited = plan.filter((node) => node['Node Type'] === 'Limit' && node.Plans?.[0]?.['Index Name'] === 'webhook_deliveries_due_index');
    expect(limited).toHaveLength(1);
    // The lock and the claim: primary-key lookups of the chosen rows; nothing else reads the table.
    const lock = nodes(plan.find((node) => node['Subplan Name'] === 'CTE due')!);
    expect(lock[0]!['Node Type']).toBe('LockRows');
    expect(scans.map((node) => [node['Node Type'], node['Index Name']])).toEqual([
      ['Index Scan', 'webhook_deliveries_due_index'],
      ['Index Scan', 'webhook_deliveries_pkey'],
      ['Index Scan', 'webhook_deliveries_pkey'],
    ]);
    expect(plan.filter((node) => node['Node Type'].startsWith('Bitmap'))).toEqual([]);
  });

  it('the relay reads the first undispatched events of their partial index, in order', async () => {
    const plan = await explain(t.db.url, UNDISPATCHED_SQL, [500], QUEUE_PLAN_SQL);
    expect(plan.map((node) => [node['Node Type'], node['Index Name']])).toEqual([
      ['Limit', undefined],
      ['LockRows', undefined],
      ['Index Scan', 'events_undispatched_index'],
    ]);
  });

  it('recording outcomes probes the primary key per outcome (no scan of the table)', async () => {
    const n = ids.length;
    const plan = await explain(t.db.url, RECORD_SQL, [
      ids,
      ids.map(() => randomUUID()),
      ids.map(() => 'succeeded'),
      ids.map(() => true),
      ids.map(() => 204),
      ids.map(() => null),
      ids.map(() => 3),
      ids.map(() => null),
      ids.map(() => true),
      432_000,
    ]);
    expect(n).toBe(8);
    const deliveries = plan.filter((node) => node['Relation Name'] === 'webhook_deliveries' && node['Node Type'] !== 'ModifyTable');
    expect(deliveries.map((node) => [node['Node Type'], node['Index Name']])).toEqual([['Index Scan', 'webhook_deliveries_pkey']]);
  });
});

/**
 * Deliveries claimed ahead of a free slot are given back when the instance stops: due at once for any instance, the
 * attempt they never had not counted. WEBHOOK_CONCURRENCY=1: one attempt in flight (the receiver never answers it), two
 * more claimed behind it, a fourth not claimed.
 */
describe('webhook delivery loop: stopping gives back what it claimed ahead (e2e)', () => {
  it('the unattempted claims are released; the attempt in flight is finished and recorded', async () => {
    const receiver = new WebhookReceiver();
    const url = await receiver.start();
    const t = await bootTestApp({ URLS_ALLOW_PRIVATE: 'true', WEBHOOK_CONCURRENCY: '1', WEBHOOK_TIMEOUT_MS: '3000', EVENTS_RELAY_INTERVAL_MS: '50' });
    try {
      const user = await createUser(t.http);
      // The first request is never answered: it holds the only slot until its time limit, also while stopping.
      receiver.respond = (n) => (n === 1 ? 0 : 204);
      const endpoint = (await t.http.post('/webhook-endpoints').set(...authHeader(user)).send({ url }).expect(201)).body as { id: number };
      await t.http.post(`/webhook-endpoints/${endpoint.id}/test`).set(...authHeader(user)).expect(202);
      await eventually(() => receiver.received.length === 1, 30_000, 'the first attempt to be in flight');
      for (let i = 0; i < 3; i++) await t.http.post(`/webhook-endpoints/${endpoint.id}/test`).set(...authHeader(user)).expect(202);
      // All four made; two of the three new ones claimed behind the one in flight (3 × WEBHOOK_CONCURRENCY held at most).
      const counts = async () =>
        (await t.db.query<{ made: number; claimed: number }>(`select count(*)::int as made, (count(*) filter (where claimed_until > now()))::int as claimed from webhook_deliveries`))[0]!;
      await eventually(async () => {
        const { made, claimed } = await counts();
        return made === 4 && claimed === 3;
      }, 30_000, 'four deliveries, three of them claimed');
      await closeApp(t.app);
      const rows = await t.db.query<{ status: string; attempts: number; claimed: boolean }>(
        `select status, attempts, claimed_until is not null as claimed from webhook_deliveries where endpoint_id = $1 order by id`,
        [endpoint.id],
      );
      // The attempt in flight ran into its time limit and was recorded (a failure, retried later by any instance).
      expect(rows[0]).toEqual({ status: 'pending', attempts: 1, claimed: false });
      expect(rows.slice(1)).toEqual([
        { status: 'pending', attempts: 0, claimed: false },
        { status: 'pending', attempts: 0, claimed: false },
        { status: 'pending', attempts: 0, claimed: false },
      ]);
      expect(receiver.received).toHaveLength(1);
    } finally {
      await t.db.drop();
      await receiver.stop();
    }
  });
});

/**
 * One endpoint that hangs cannot take every slot of an instance: WEBHOOK_CONCURRENCY=2 gives each endpoint at most
 * one (WEBHOOK_CONCURRENCY_PER_ENDPOINT defaults to half), so another tenant's delivery goes out at once while the
 * hanging endpoint's attempt waits for its time limit and its backlog waits behind it.
 */
describe('webhook delivery loop: each endpoint gets at most its share of the slots (e2e)', () => {
  it("a hanging endpoint's backlog does not hold back another endpoint's delivery", async () => {
    const hanging = new WebhookReceiver();
    hanging.respond = () => 0;
    const other = new WebhookReceiver();
    const [hangingUrl, otherUrl] = [await hanging.start(), await other.start()];
    const t = await bootTestApp({ URLS_ALLOW_PRIVATE: 'true', WEBHOOK_CONCURRENCY: '2', WEBHOOK_TIMEOUT_MS: '8000', EVENTS_RELAY_INTERVAL_MS: '50' });
    try {
      const [alice, bob] = [await createUser(t.http), await createUser(t.http)];
      const create = async (user: typeof alice, url: string) =>
        ((await t.http.post('/webhook-endpoints').set(...authHeader(user)).send({ url }).expect(201)).body as { id: number }).id;
      const slow = await create(alice, hangingUrl);
      const fast = await create(bob, otherUrl);
      const ping = (user: typeof alice, id: number) => t.http.post(`/webhook-endpoints/${id}/test`).set(...authHeader(user)).expect(202);
      await ping(alice, slow);
      await eventually(() => hanging.received.length === 1, 30_000, "the hanging endpoint's first attempt");
      for (let i = 0; i < 5; i++) await ping(alice, slow);
      const startedAt = Date.now();
      await ping(bob, fast);
      // Well inside the hanging attempt's 8 s time limit: the other slot was free for it.
      await eventually(() => other.received.length === 1, 6_000, "the other tenant's delivery, while the first endpoint hangs");
      expect(Date.now() - startedAt).toBeLessThan(6_000);
      expect(hanging.received).toHaveLength(1);
      // It holds at most its share times 3 (one in flight, two claimed behind it); the rest of its backlog is not claimed.
      const [held] = await t.db.query<{ claimed: number; waiting: number }>(
        `select (count(*) filter (where claimed_until > now()))::int as claimed, (count(*) filter (where claimed_until is null))::int as waiting
           from webhook_deliveries where endpoint_id = $1`,
        [slow],
      );
      expect(held).toEqual({ claimed: 3, waiting: 3 });
    } finally {
      await t.close();
      await Promise.all([hanging.stop(), other.stop()]);
    }
  });

  it('a backlog held back by its share keeps draining without waiting for the fallback poll', async () => {
    const receiver = new WebhookReceiver();
    const url = await receiver.start();
    // The fallback poll a minute away: only the loop's own bookkeeping can keep it claiming.
    const t = await bootTestApp({ URLS_ALLOW_PRIVATE: 'true', WEBHOOK_CONCURRENCY: '2', EVENTS_RELAY_INTERVAL_MS: '60000' });
    try {
      const user = await createUser(t.http);
      const endpoint = ((await t.http.post('/webhook-endpoints').set(...authHeader(user)).send({ url }).expect(201)).body as { id: number }).id;
      // Twelve pings in one statement: one notification, one relay pass, one wake of the delivery loop.
      await t.db.query(
        `insert into events (user_id, type, endpoint_id, data) select $1, 'ping', $2, jsonb_build_object('webhookEndpointId', $2::int, 'message', 'n' || i) from generate_series(1, 12) as i`,
        [user.id, endpoint],
      );
      // One in flight and three held at a time: four claims at least, each cut short by the share.
      await eventually(() => receiver.accepted.length === 12, 20_000, 'all 12 deliveries');
    } finally {
      await t.close();
      await receiver.stop();
    }
  });
});
