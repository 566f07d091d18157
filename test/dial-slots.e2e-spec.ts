import Retell from 'retell-sdk';
import { DialSlots, type DialRefusal, type DialSlot } from '../src/common/limits/dial-slots.js';
import { EMULATOR_API_KEY, RetellConnection } from '../src/retell/retell-client.provider.js';
import { bootTestApp, type TestApp } from './support/app.js';
import { authHeader, createAgent } from './support/agents.js';
import { createUser, type TestUser } from './support/factories.js';

type Acquired = { slot: DialSlot } | { refused: DialRefusal };
const granted = (results: Acquired[]) => results.filter((r): r is { slot: DialSlot } => 'slot' in r);
const refusals = (results: Acquired[]) => results.filter((r): r is { refused: DialRefusal } => 'refused' in r).map((r) => r.refused.reason);

/**
 * Issue 15: dial slots — call concurrency per user and per workspace, and the monthly minutes cap — on a real
 * database, shared by two app instances on one database.
 */
describe('dial slots (e2e)', () => {
  describe('across two instances (CALL_CONCURRENCY_PER_USER=4, RETELL_CONCURRENCY_LIMIT=10)', () => {
    let t1: TestApp;
    let t2: TestApp;
    let slots: [DialSlots, DialSlots];
    const env = { CALL_CONCURRENCY_PER_USER: '4', RETELL_CONCURRENCY_LIMIT: '10' };

    beforeAll(async () => {
      t1 = await bootTestApp(env);
      t2 = await bootTestApp(env, { db: t1.db });
      slots = [t1.app.get(DialSlots), t2.app.get(DialSlots)];
    });
    afterAll(async () => {
      await t2?.close();
      await t1?.close();
    });
    beforeEach(async () => {
      await t1.db.query('delete from dial_slots');
    });

    /** `n` acquires at once, alternating between the two instances. */
    const acquireMany = (userId: number, n: number, options?: { reserveForOthers?: number }) =>
      Promise.all(Array.from({ length: n }, (_, i) => slots[i % 2]!.acquire(userId, options)));

    it('40 simultaneous acquires of one user: exactly 4 slots, the rest user_concurrency with a retry hint', async () => {
      const user = await createUser(t1.http);
      const results = await acquireMany(user.id, 40);
      expect(granted(results)).toHaveLength(4);
      expect(refusals(results)).toEqual(Array(36).fill('user_concurrency'));
      const refused = results.find((r) => 'refused' in r) as { refused: DialRefusal };
      expect(refused.refused.retryAfterSeconds).toBeGreaterThan(0);
      expect(await t1.db.query('select id from dial_slots where user_id = $1', [user.id])).toHaveLength(4);
    });

    it('5 users × 6 simultaneous acquires: exactly the workspace limit (10) in all, at most 4 per user', async () => {
      const users = await Promise.all(Array.from({ length: 5 }, () => createUser(t1.http)));
      const results = (await Promise.all(users.map((user) => acquireMany(user.id, 6)))).flat();
      expect(granted(results)).toHaveLength(10);
      expect(refusals(results)).toContain('workspace_concurrency');
      const perUser = await t1.db.query<{ user_id: number; n: number }>('select user_id, count(*)::int as n from dial_slots group by user_id');
      expect(Math.max(...perUser.map((row) => row.n))).toBeLessThanOrEqual(4);

      const usage = await slots[1].usage();
      expect(usage.workspaceLimit).toBe(10);
      expect(usage.workspaceLive).toBe(10);
      expect([...usage.perUser.values()].reduce((a, b) => a + b, 0)).toBe(10);
      expect(new Map(perUser.map((row) => [row.user_id, row.n]))).toEqual(usage.perUser);
    });

    it('keeps headroom for others: with reserveForOthers 3 at most 7 of the 10', async () => {
      const users = await Promise.all(Array.from({ length: 3 }, () => createUser(t1.http)));
      const results = (await Promise.all(users.map((user) => acquireMany(user.id, 4, { reserveForOthers: 3 })))).flat();
      expect(granted(results)).toHaveLength(7);
      // Without the reserve the rest of the workspace is still there.
      const other = await createUser(t1.http);
      expect(granted(await acquireMany(other.id, 4))).toHaveLength(3);
    });

    it('a released slot, an expired unattached one and one whose call has ended count no more; a live call counts', async () => {
      const user = await createUser(t1.http);
      const agent = await createAgent(t1.http, user);
      const got = granted(await acquireMany(user.id, 4)).map((r) => r.slot);
      expect(got).toHaveLength(4);
      await expect(slots[0].acquire(user.id)).resolves.toMatchObject({ refused: { reason: 'user_concurrency' } });

      await slots[1].release(got[0]!);
      const [callEnded, callLive] = await t1.db.query<{ id: number }>(
        `insert into calls (agent_id, user_id, retell_call_id, call_type, direction, status)
         values ($1, $2, 'slot-test-ended', 'phone_call', 'outbound', 'registered'), ($1, $2, 'slot-test-live', 'phone_call', 'outbound', 'ongoing')
         returning id`,
        [agent.id, user.id],
      );
      await slots[0].attach(got[1]!, callEnded!.id);
      await slots[0].attach(got[2]!, callLive!.id);
      await t1.db.query(`update dial_slots set expires_at = now() - interval '1 second' where id = $1`, [got[3]!.id]);
      // Released, expired: 2 of 4 live (the registered and the ongoing call).
      expect((await slots[1].usage()).perUser.get(user.id)).toBe(2);
      // The call ends, as a webhook records it (status final): its slot counts no more.
      await t1.db.query(`update calls set status = 'ended' where id = $1`, [callEnded!.id]);
      expect((await slots[1].usage()).perUser.get(user.id)).toBe(1);
      expect(granted(await acquireMany(user.id, 6))).toHaveLength(3);

      // Slots that count no more are deleted lazily by a later acquire (at most every few seconds per instance).
      (slots[0] as unknown as { lastCleanup: number }).lastCleanup = 0;
      await slots[0].acquire(user.id);
      for (let i = 0; i < 100 && (await t1.db.query('select id from dial_slots where id = any($1)', [[got[1]!.id, got[3]!.id]])).length > 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(await t1.db.query('select id from dial_slots where id = any($1)', [[got[1]!.id, got[3]!.id]])).toEqual([]);
      expect(await t1.db.query('select id from dial_slots where id = $1', [got[2]!.id])).toHaveLength(1);
    });
  });

  describe('through the API (CALL_CONCURRENCY_PER_USER=1, CALL_MINUTES_PER_MONTH_PER_USER=2, workspace limit from Retell)', () => {
    let t: TestApp;
    let retell: Retell;

    beforeAll(async () => {
      t = await bootTestApp({ CALL_CONCURRENCY_PER_USER: '1', CALL_MINUTES_PER_MONTH_PER_USER: '2', CALLS_PER_MINUTE_PER_USER: '100', WEB_CALLS_PER_MINUTE_PER_USER: '100' });
      retell = new Retell({ apiKey: EMULATOR_API_KEY, baseURL: t.app.get(RetellConnection).baseUrl!, maxRetries: 0 });
    });
    afterAll(async () => {
      t.emulator.setConcurrencyLimit(20);
      await t.emulator.waitForIdle();
      await t?.close();
    });

    async function tenant(): Promise<{ user: TestUser; agentId: number }> {
      const user = await createUser(t.http);
      const agent = await createAgent(t.http, user);
      await t.http.post(`/agents/${agent.id}/phone-numbers`).set(...authHeader(user)).send({}).expect(201);
      return { user, agentId: agent.id };
    }
    const placeCall = (user: TestUser, agentId: number, toNumber: string) => t.http.post(`/agents/${agentId}/calls`).set(...authHeader(user)).send({ toNumber });

    async function untilFinal(user: TestUser, callId: number): Promise<void> {
      for (let i = 0; i < 200; i++) {
        const { body } = await t.http.get(`/calls/${callId}`).set(...authHeader(user)).expect(200);
        if (['ended', 'not_connected', 'error'].includes(body.status)) return;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(`call ${callId} never reached a final status`);
    }

    it('reads the workspace limit from Retell when RETELL_CONCURRENCY_LIMIT is unset', async () => {
      t.emulator.setConcurrencyLimit(20);
      await expect(t.app.get(DialSlots).usage()).resolves.toMatchObject({ workspaceLimit: 20 });
    });

    it('refuses a second live call (429 user_concurrency, nothing dialled), phone or web; a finished call frees its slot', async () => {
      const { user, agentId } = await tenant();
      const first = await placeCall(user, agentId, '+14155550005').expect(201); // …0005 stays on the line
      const before = t.emulator.state.calls.size;

      const second = await placeCall(user, agentId, '+14155550100').expect(429);
      expect(second.body).toMatchObject({ statusCode: 429, code: 'user_concurrency' });
      expect(Number(second.headers['retry-after'])).toBeGreaterThan(0);
      const web = await t.http.post(`/agents/${agentId}/web-calls`).set(...authHeader(user)).send({}).expect(429);
      expect(web.body.code).toBe('user_concurrency');
      expect(t.emulator.state.calls.size).toBe(before);

      await retell.call.stop(first.body.retellCallId);
      await untilFinal(user, first.body.id);
      const third = await placeCall(user, agentId, '+14155550100').expect(201);
      await untilFinal(user, third.body.id);
    });

    it('refuses a call at the monthly minutes cap (429 minutes_cap until next month), dials nothing, takes no slot', async () => {
      const { user, agentId } = await tenant();
      const { user: under, agentId: underAgent } = await tenant();
      // A month's history as the webhook merge would have recorded it (the rollups follow the calls trigger).
      const history = `insert into calls (agent_id, user_id, retell_call_id, call_type, direction, status, duration, started_at, ended_at)
                        values ($1, $2, $3, 'phone_call', 'outbound', 'ended', $4, now() at time zone 'utc' - interval '1 minute', now() at time zone 'utc')`;
      await t.db.query(history, [agentId, user.id, `minutes-${user.id}`, 150]);
      await t.db.query(history, [underAgent, under.id, `minutes-${under.id}`, 90]);
      const callsBefore = t.emulator.state.calls.size;
      const slotsBefore = (await t.db.query('select id from dial_slots')).length;

      const refused = await placeCall(user, agentId, '+14155550101').expect(429);
      expect(refused.body).toMatchObject({ statusCode: 429, code: 'minutes_cap' });
      const now = new Date();
      const nextMonth = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan((nextMonth - now.getTime()) / 1000 - 60);
      await t.http.post(`/agents/${agentId}/web-calls`).set(...authHeader(user)).send({}).expect(429);
      expect(t.emulator.state.calls.size).toBe(callsBefore);
      expect(await t.db.query('select id from dial_slots')).toHaveLength(slotsBefore);

      // 1.5 of 2 minutes used: still allowed.
      const allowed = await placeCall(under, underAgent, '+14155550102').expect(201);
      await untilFinal(under, allowed.body.id);
    });

    it('gives the slot back when Retell refuses for its own concurrency (our 429 workspace_concurrency)', async () => {
      const { user, agentId } = await tenant();
      t.emulator.setConcurrencyLimit(0);
      try {
        const refused = await placeCall(user, agentId, '+14155550103').expect(429);
        expect(refused.body).toMatchObject({ code: 'workspace_concurrency' });
        expect(await t.db.query('select id from dial_slots where user_id = $1', [user.id])).toEqual([]);
      } finally {
        t.emulator.setConcurrencyLimit(20);
      }
      const placed = await placeCall(user, agentId, '+14155550103').expect(201);
      await untilFinal(user, placed.body.id);
    });
  });
});
