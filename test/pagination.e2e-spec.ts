import { MikroORM } from '@mikro-orm/postgresql';
import { bootTestApp, type TestApp } from './support/app.js';
import { insertPhoneNumberRow } from './support/agents.js';
import { createUser, type TestUser } from './support/factories.js';

const ROWS = 5000;

describe('keyset pagination (e2e)', () => {
  let t: TestApp;
  let alice: TestUser;

  beforeAll(async () => {
    t = await bootTestApp();
    alice = await createUser(t.http);
    // Agent rows straight in the table (no Retell agents behind them: the list reads only our rows), one second apart.
    await t.db.query(
      `insert into agents (user_id, name, retell_agent_id, voice_id, created_at, updated_at)
       select $1, 'agent ' || i, 'seeded-' || i, 'voice', timestamp '2020-01-01' + i * interval '1 second', now()
         from generate_series(1, $2::int) as i`,
      [alice.id, ROWS],
    );
    await t.db.query('analyze agents');
  });
  afterAll(async () => {
    await t.close();
  });

  /** The SQL statements (values inlined) the app sends while `work` runs that read the given table. */
  async function statementsOn(table: string, work: () => Promise<unknown>): Promise<string[]> {
    const orm = t.app.get(MikroORM);
    const platform = orm.em.getPlatform();
    const original = orm.config.get('onQuery');
    const seen: string[] = [];
    orm.config.set('onQuery', (sql: string, params: readonly unknown[]) => {
      if (sql.includes(`from "${table}"`)) seen.push(platform.formatQuery(sql, params as unknown[]));
      return original(sql, params);
    });
    try {
      await work();
    } finally {
      orm.config.set('onQuery', original);
    }
    return seen;
  }

  it("starts a deep agents page at the cursor inside the index (a row comparison), not by filtering every newer row", async () => {
    // A position 4,000 rows deep, and the two rows that follow it (created_at desc, id desc).
    const rows = await t.db.query<{ id: number; created: string }>(
      `select id, to_char(created_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created from agents where user_id = $1
        order by created_at desc, id desc offset 4000 limit 3`,
      [alice.id],
    );
    const cursor = Buffer.from(JSON.stringify({ createdAt: rows[0]!.created, id: rows[0]!.id })).toString('base64url');

    let body: { items: Array<{ id: number }>; nextCursor: string | null } | undefined;
    const statements = await statementsOn('agents', async () => {
      body = (await t.http.get(`/agents?limit=2&cursor=${cursor}`).set('authorization', alice.bearer).expect(200)).body;
    });
    expect(body!.items.map((agent) => agent.id)).toEqual([rows[1]!.id, rows[2]!.id]);
    expect(body!.nextCursor).not.toBeNull();

    expect(statements).toHaveLength(1);
    const plan = (await t.db.query<{ 'QUERY PLAN': string }>(`explain ${statements[0]}`)).map((row) => row['QUERY PLAN']).join('\n');
    // The row comparison is part of the index condition; the `$or` form would leave it to a Filter line.
    expect(plan).toMatch(/Index Cond: .*ROW\(created_at, id\) < ROW\(/);
    expect(plan).not.toMatch(/Filter: .*created_at/);
  });

  it("pages phone numbers newest first across the caller's agents, without skipping or repeating one", async () => {
    // Numbers of two of Alice's agents and one of Bob's: the keyset column (id) exists in the joined agents table too.
    const bob = await createUser(t.http);
    const [bobsAgent] = await t.db.query<{ id: number }>(
      `insert into agents (user_id, name, retell_agent_id, voice_id) values ($1, 'bob', 'seeded-bob', 'voice') returning id`,
      [bob.id],
    );
    const agents = await t.db.query<{ id: number }>('select id from agents where user_id = $1 order by id limit 2', [alice.id]);
    const owners = [agents[0]!.id, agents[1]!.id, bobsAgent!.id, agents[0]!.id, agents[1]!.id, agents[1]!.id];
    for (const [i, agentId] of owners.entries()) await insertPhoneNumberRow(t, agentId, `+1415555020${i}`);
    const expected = (await t.db.query<{ id: number }>(
      'select p.id from phone_numbers p join agents a on a.id = p.agent_id where a.user_id = $1 order by p.id desc',
      [alice.id],
    )).map((row) => row.id);
    expect(expected).toHaveLength(5);

    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: Array<{ id: number }>; nextCursor: string | null } } = await t.http
        .get(`/phone-numbers?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        .set('authorization', alice.bearer)
        .expect(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((number) => number.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(expected);

    const one = await t.http.get(`/phone-numbers?agentId=${agents[1]!.id}&limit=2`).set('authorization', alice.bearer).expect(200);
    const rest = await t.http.get(`/phone-numbers?agentId=${agents[1]!.id}&limit=2&cursor=${one.body.nextCursor}`).set('authorization', alice.bearer).expect(200);
    expect([...one.body.items, ...rest.body.items].map((number: { agentId: number }) => number.agentId)).toEqual([agents[1]!.id, agents[1]!.id, agents[1]!.id]);
    expect(rest.body.nextCursor).toBeNull();
  });
});
