import { Clock } from '../src/common/clock.js';
import { bootTestApp, type TestApp } from './support/app.js';
import { authHeader, createAgent, type Caller } from './support/agents.js';
import { createUser, type TestUser } from './support/factories.js';

const EVERY_DAY = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const ALWAYS = { timezone: 'UTC', windows: [{ days: EVERY_DAY, start: '00:00', end: '24:00' }] };
const NO_RETRY = { maxAttempts: 1, on: [], delayMinutes: 0 };
const WORKSPACE_LIMIT = 6;
const USER_LIMIT = 5;

/** The most calls live at once among these, from the emulator's own record of each call (creation to end). */
function peakOf(calls: Array<{ createdAt: number; end: number }>): number {
  const edges = calls.flatMap((call) => [[call.createdAt, 1] as const, [call.end, -1] as const]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let live = 0;
  let peak = 0;
  for (const [, step] of edges) peak = Math.max(peak, (live += step));
  return peak;
}

interface Progress {
  targets: number;
  pending: number;
  dialling: number;
  completed: Record<string, number>;
  failed: number;
  skippedDoNotCall: number;
  cancelled: number;
}

describe('Campaigns (e2e)', () => {
  let t: TestApp;
  let clock: Clock;
  let alice: TestUser;
  let bob: TestUser;
  let aliceAgent: number;
  let bobAgent: number;
  let counter = 0;

  beforeAll(async () => {
    // The workspace (the emulator's limit, read by DialSlots through get-concurrency) and each tenant's quota are small,
    // so both bind in the fairness test.
    t = await bootTestApp({
      DIALER_INTERVAL_MS: '50',
      RETELL_EMULATOR_TIMING: 'fast',
      RETELL_EMULATOR_CONCURRENCY_LIMIT: String(WORKSPACE_LIMIT),
      CALL_CONCURRENCY_PER_USER: String(USER_LIMIT),
    });
    clock = t.app.get(Clock);
    alice = await createUser(t.http);
    bob = await createUser(t.http);
    for (const [user, set] of [
      [alice, (id: number) => (aliceAgent = id)],
      [bob, (id: number) => (bobAgent = id)],
    ] as const) {
      const agent = await createAgent(t.http, user);
      set(agent.id);
      await t.http.post(`/agents/${agent.id}/phone-numbers`).set(...authHeader(user)).send({}).expect(201);
    }
  }, 60_000);
  afterAll(async () => {
    await t.close();
  });

  /** Numbers unique in this file; `suffix` picks the emulator's scenario (0001 no answer, 0002 busy, …). */
  const nextNumber = (suffix?: string) => {
    counter++;
    return suffix ? `+1415${String(counter).padStart(3, '0')}${suffix}` : `+1415${String(counter).padStart(3, '0')}${String(5000 + (counter % 4000)).padStart(4, '0')}`;
  };

  async function contacts(user: TestUser, rows: Array<Record<string, unknown>>): Promise<number[]> {
    await t.http.post('/contacts/import').set(...authHeader(user)).send(rows).expect(200);
    const numbers = rows.map((row) => row.phoneNumber as string);
    const found = await t.db.query<{ id: number; phone_number: string }>(
      'select id, phone_number from contacts where user_id = $1 and phone_number = any($2::text[])',
      [user.id, numbers],
    );
    const byNumber = new Map(found.map((row) => [row.phone_number, row.id]));
    return numbers.map((number) => byNumber.get(number)!);
  }

  const create = (caller: Caller, body: Record<string, unknown>) => t.http.post('/campaigns').set(...authHeader(caller)).send(body);
  const action = (caller: Caller, id: number, name: string) => t.http.post(`/campaigns/${id}/${name}`).set(...authHeader(caller));
  const get = async (caller: Caller, id: number) => (await t.http.get(`/campaigns/${id}`).set(...authHeader(caller)).expect(200)).body;
  const targets = async (caller: Caller, id: number) => (await t.http.get(`/campaigns/${id}/targets?limit=100`).set(...authHeader(caller)).expect(200)).body.items;

  async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const value = await probe();
      if (value) return value;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  const waitForStatus = (caller: Caller, id: number, status: string, timeoutMs?: number) =>
    waitFor(`campaign ${id} to be ${status}`, async () => {
      const campaign = await get(caller, id);
      return campaign.status === status ? campaign : undefined;
    }, timeoutMs);

  describe('creating', () => {
    it('refuses another tenant\'s agent, number or contacts with a 400 naming the field, and writes nothing', async () => {
      const [mine] = await contacts(alice, [{ phoneNumber: nextNumber() }]);
      const [bobs] = await contacts(bob, [{ phoneNumber: nextNumber() }]);
      const before = await t.db.query('select count(*)::int as n from campaigns');
      const response = await create(alice, {
        name: 'not mine',
        agentId: bobAgent,
        fromNumber: '+14155550000',
        contactIds: [mine, bobs, 999_999],
        schedule: ALWAYS,
        retry: NO_RETRY,
      }).expect(400);
      expect(response.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['agentId', 'contactIds', 'fromNumber']);
      expect(response.body.details.find((d: { field: string }) => d.field === 'contactIds').messages[0]).toContain(String(bobs));
      expect(await t.db.query('select count(*)::int as n from campaigns')).toEqual(before);
    });

    it('refuses bad schedules and retry policies', async () => {
      const [id] = await contacts(alice, [{ phoneNumber: nextNumber() }]);
      const response = await create(alice, {
        name: 'bad',
        agentId: aliceAgent,
        contactIds: [id, id],
        schedule: { timezone: 'Mars/Olympus', windows: [{ days: ['funday'], start: '25:00', end: '09:00' }] },
        retry: { maxAttempts: 6, on: ['hangup'], delayMinutes: -1 },
      }).expect(400);
      const fields = response.body.details.map((d: { field: string }) => d.field).sort();
      expect(fields).toEqual(expect.arrayContaining(['contactIds', 'retry.delayMinutes', 'retry.maxAttempts', 'retry.on', 'schedule.timezone']));
      const backwards = await create(alice, {
        name: 'backwards',
        agentId: aliceAgent,
        contactIds: [id],
        schedule: { timezone: 'UTC', windows: [{ days: ['mon'], start: '17:00', end: '09:00' }] },
        retry: NO_RETRY,
      }).expect(400);
      expect(backwards.body.details).toEqual([{ field: 'schedule.windows.0.end', messages: ['end must be after start'] }]);
    });

    it('answers another tenant\'s campaign with 404 and illegal transitions with 409', async () => {
      const [id] = await contacts(alice, [{ phoneNumber: nextNumber() }]);
      const campaign = (await create(alice, { name: 'draft', agentId: aliceAgent, contactIds: [id], schedule: ALWAYS, retry: NO_RETRY }).expect(201)).body;
      expect(campaign).toMatchObject({ status: 'draft', progress: { targets: 1, pending: 1 } });
      await t.http.get(`/campaigns/${campaign.id}`).set(...authHeader(bob)).expect(404);
      await action(bob, campaign.id, 'start').expect(404);
      const resume = await action(alice, campaign.id, 'resume').expect(409);
      expect(resume.body.message).toBe('Cannot resume a campaign that is draft');
      await action(alice, campaign.id, 'pause').expect(409);
      await action(alice, campaign.id, 'cancel').expect(200);
      await action(alice, campaign.id, 'start').expect(409);
      expect((await get(alice, campaign.id)).progress).toMatchObject({ targets: 1, pending: 0, cancelled: 1 });
    });
  });

  it('calls every target once, skips do-not-call, merges variables and completes with events', async () => {
    const ids = await contacts(alice, [
      { phoneNumber: nextNumber(), name: 'Ada', dynamicVariables: { customer_name: 'Ada', tier: 'gold' } },
      { phoneNumber: nextNumber(), name: 'Grace' },
      { phoneNumber: nextNumber(), name: 'Never', doNotCall: true },
    ]);
    const created = (
      await create(alice, {
        name: 'Reminders',
        agentId: aliceAgent,
        contactIds: ids,
        schedule: ALWAYS,
        retry: NO_RETRY,
        dynamicVariables: { clinic: 'Acme', tier: 'standard' },
      }).expect(201)
    ).body;
    const started = (await action(alice, created.id, 'start').expect(200)).body;
    expect(started.status).toBe('running');
    const done = await waitForStatus(alice, created.id, 'completed');
    expect(done.progress as Progress).toEqual({
      targets: 3,
      pending: 0,
      dialling: 0,
      completed: { completed: 2, noAnswer: 0, busy: 0, voicemail: 0, error: 0, failed: 0 },
      failed: 0,
      skippedDoNotCall: 1,
      cancelled: 0,
    });
    const list = await targets(alice, created.id);
    expect(list.map((target: { outcome: string }) => target.outcome)).toEqual(['completed', 'completed', 'do_not_call']);
    expect(list[2]).toMatchObject({ status: 'skipped', attempts: 0, callIds: [] });
    const call = (await t.http.get(`/calls/${list[0].callIds[0]}`).set(...authHeader(alice)).expect(200)).body;
    expect(call.dynamicVariables).toEqual({ clinic: 'Acme', tier: 'gold', customer_name: 'Ada' });
    expect(call.metadata).toEqual({ campaign_id: created.id, campaign_target_id: list[0].id });
    const events = (await t.http.get('/events?limit=100').set(...authHeader(alice)).expect(200)).body.items
      .filter((event: { type: string; data: { id: number } }) => event.type.startsWith('campaign.') && event.data.id === created.id)
      .map((event: { type: string }) => event.type);
    expect(events).toEqual(['campaign.completed', 'campaign.started']);
    const page = (await t.http.get('/campaigns?limit=1').set(...authHeader(alice)).expect(200)).body;
    expect(page.items).toHaveLength(1);
    expect(page.nextCursor).toEqual(expect.any(String));
  });

  it('retries a no-answer after the delay (controllable clock), then succeeds', async () => {
    const number = nextNumber('0001');
    const [id] = await contacts(alice, [{ phoneNumber: number }]);
    const created = (
      await create(alice, { name: 'Retry', agentId: aliceAgent, contactIds: [id], schedule: ALWAYS, retry: { maxAttempts: 3, on: ['no_answer'], delayMinutes: 30 } }).expect(201)
    ).body;
    await action(alice, created.id, 'start').expect(200);
    const [waiting] = await waitFor('the first attempt to be settled', async () => {
      const list = await targets(alice, created.id);
      return list[0].history.length === 1 ? list : undefined;
    });
    expect(waiting).toMatchObject({ status: 'pending', attempts: 1, history: [{ attempt: 1, outcome: 'no_answer', disconnectionReason: 'dial_no_answer' }] });
    const due = new Date(waiting.nextAttemptAt).getTime();
    expect(due - clock.now().getTime()).toBeGreaterThan(29 * 60_000);
    // Nothing happens before the delay is over.
    await new Promise((r) => setTimeout(r, 300));
    expect((await targets(alice, created.id))[0].attempts).toBe(1);
    // The callee answers next time.
    t.emulator.setScenario({ to_number: number }, 'completed');
    clock.advance(31 * 60_000);
    const done = await waitForStatus(alice, created.id, 'completed');
    expect(done.progress.completed.completed).toBe(1);
    const [target] = await targets(alice, created.id);
    expect(target).toMatchObject({ status: 'done', outcome: 'completed', attempts: 2 });
    expect(target.callIds).toHaveLength(2);
    expect(target.history.map((h: { outcome: string }) => h.outcome)).toEqual(['no_answer', 'completed']);
  });

  it('calls each target only inside the window of its own time zone, else the campaign\'s', async () => {
    // Thursday 2026-12-10 10:00 UTC: 11:00 in Berlin (open), 05:00 in New York (closed), 19:00 in Tokyo (closed).
    clock.travel(new Date('2026-12-10T10:00:00Z'));
    const ids = await contacts(alice, [
      { phoneNumber: nextNumber(), timezone: 'Europe/Berlin' },
      { phoneNumber: nextNumber(), timezone: 'America/New_York' },
      { phoneNumber: nextNumber() },
    ]);
    const created = (
      await create(alice, {
        name: 'Windows',
        agentId: aliceAgent,
        contactIds: ids,
        schedule: { timezone: 'Asia/Tokyo', windows: [{ days: EVERY_DAY, start: '09:00', end: '17:00' }] },
        retry: NO_RETRY,
      }).expect(201)
    ).body;
    await action(alice, created.id, 'start').expect(200);
    const list = await waitFor('Berlin done, the others deferred', async () => {
      const items = await targets(alice, created.id);
      return items[0].status === 'done' && items[1].nextAttemptAt > clock.now().toISOString() && items[2].nextAttemptAt > clock.now().toISOString() ? items : undefined;
    });
    // New York opens at 09:00 local = 14:00 UTC; Tokyo (the campaign's zone) at 09:00 local tomorrow = 00:00 UTC.
    expect(list[1]).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: '2026-12-10T14:00:00.000Z' });
    expect(list[2]).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: '2026-12-11T00:00:00.000Z' });
    clock.travel(new Date('2026-12-10T14:00:00Z'));
    await waitFor('New York done', async () => ((await targets(alice, created.id))[1].status === 'done' ? true : undefined));
    expect((await targets(alice, created.id))[2].status).toBe('pending');
    clock.travel(new Date('2026-12-11T00:00:30Z'));
    const done = await waitForStatus(alice, created.id, 'completed');
    expect(done.progress.completed.completed).toBe(3);
  });

  it('pauses (no new dials), resumes and cancels', async () => {
    clock.travel(new Date());
    const ids = await contacts(alice, Array.from({ length: 8 }, () => ({ phoneNumber: nextNumber() })));
    const created = (await create(alice, { name: 'Pausing', agentId: aliceAgent, contactIds: ids, schedule: ALWAYS, retry: NO_RETRY, maxConcurrency: 1 }).expect(201)).body;
    await action(alice, created.id, 'start').expect(200);
    await waitFor('a first call', async () => ((await get(alice, created.id)).progress.pending < 8 ? true : undefined));
    const paused = (await action(alice, created.id, 'pause').expect(200)).body;
    expect(paused).toMatchObject({ status: 'paused', pauseReason: 'requested' });
    await action(alice, created.id, 'pause').expect(409);
    // What was under way finishes; nothing new starts.
    await waitFor('the call under way to finish', async () => ((await get(alice, created.id)).progress.dialling === 0 ? true : undefined));
    const frozen = (await get(alice, created.id)).progress.pending;
    await new Promise((r) => setTimeout(r, 500));
    expect((await get(alice, created.id)).progress.pending).toBe(frozen);
    expect(frozen).toBeGreaterThan(0);
    expect((await action(alice, created.id, 'resume').expect(200)).body.status).toBe('running');
    await waitFor('another call', async () => ((await get(alice, created.id)).progress.pending < frozen ? true : undefined));
    const cancelled = (await action(alice, created.id, 'cancel').expect(200)).body;
    expect(cancelled.status).toBe('cancelled');
    await waitFor('the last call to be recorded', async () => ((await get(alice, created.id)).progress.dialling === 0 ? true : undefined));
    const final = (await get(alice, created.id)).progress as Progress;
    expect(final.pending).toBe(0);
    expect(final.cancelled).toBeGreaterThan(0);
    expect(final.completed.completed + final.cancelled).toBe(8);
    const types = (await t.http.get('/events?limit=100').set(...authHeader(alice)).expect(200)).body.items
      .filter((event: { type: string; data: { id: number } }) => event.type.startsWith('campaign.') && event.data.id === created.id)
      .map((event: { type: string; data: { pauseReason: string | null } }) => [event.type, event.data.pauseReason]);
    // Newest first.
    expect(types).toEqual([
      ['campaign.started', null],
      ['campaign.paused', 'requested'],
      ['campaign.started', null],
    ]);
  });

  it('shares the workspace fairly: a 10-target tenant finishes while a 1,000-target one is still calling; no limit is passed', async () => {
    clock.travel(new Date());
    await t.emulator.waitForIdle();
    t.emulator.resetPeakConcurrency();
    const bigNumbers = Array.from({ length: 1000 }, () => nextNumber());
    const smallNumbers = Array.from({ length: 10 }, () => nextNumber());
    const big = await contacts(alice, bigNumbers.map((phoneNumber) => ({ phoneNumber })));
    const small = await contacts(bob, smallNumbers.map((phoneNumber) => ({ phoneNumber })));
    const bigCampaign = (await create(alice, { name: 'Big', agentId: aliceAgent, contactIds: big, schedule: ALWAYS, retry: NO_RETRY }).expect(201)).body;
    const smallCampaign = (await create(bob, { name: 'Small', agentId: bobAgent, contactIds: small, schedule: ALWAYS, retry: NO_RETRY, maxConcurrency: 3 }).expect(201)).body;
    await action(alice, bigCampaign.id, 'start').expect(200);
    await waitFor('the big campaign to be calling', async () => ((await get(alice, bigCampaign.id)).progress.pending < 1000 ? true : undefined));
    await action(bob, smallCampaign.id, 'start').expect(200);
    await waitForStatus(bob, smallCampaign.id, 'completed', 60_000);
    const bigNow = (await get(alice, bigCampaign.id)).progress as Progress;
    expect(bigNow.pending).toBeGreaterThan(800);
    expect((await get(bob, smallCampaign.id)).progress.completed.completed).toBe(10);
    await action(alice, bigCampaign.id, 'cancel').expect(200);
    await waitFor('the big campaign\'s last calls', async () => ((await get(alice, bigCampaign.id)).progress.dialling === 0 ? true : undefined));
    await t.emulator.waitForIdle();
    // The workspace's limit (the emulator's recorded peak), each tenant's quota, the small campaign's maxConcurrency.
    expect(t.emulator.concurrency.peak_concurrency).toBeLessThanOrEqual(WORKSPACE_LIMIT);
    expect(t.emulator.concurrency.peak_concurrency).toBeGreaterThan(1);
    const agents = await t.db.query<{ id: number; retell_agent_id: string }>('select id, retell_agent_id from agents where id = any($1::int[])', [[aliceAgent, bobAgent]]);
    const retellAgent = new Map(agents.map((row) => [row.id, row.retell_agent_id]));
    const livesOf = (agentId: number) =>
      [...t.emulator.state.calls.values()]
        .filter(({ call }) => call.agent_id === retellAgent.get(agentId) && call.end_timestamp)
        .map(({ createdAt, call }) => ({ createdAt, end: call.end_timestamp! }));
    expect(peakOf(livesOf(aliceAgent))).toBeLessThanOrEqual(USER_LIMIT);
    expect(peakOf(livesOf(bobAgent))).toBeLessThanOrEqual(3);
    // Every target dialled at most once (exactly once for the small tenant).
    const dials = new Map<string, number>();
    for (const { call } of t.emulator.state.calls.values()) {
      const to = 'to_number' in call ? call.to_number : undefined;
      if (to) dials.set(to, (dials.get(to) ?? 0) + 1);
    }
    expect(smallNumbers.map((n) => dials.get(n))).toEqual(smallNumbers.map(() => 1));
    expect(bigNumbers.filter((n) => (dials.get(n) ?? 0) > 1)).toEqual([]);
  }, 120_000);
});

describe('Campaigns at the monthly minutes cap (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp({ DIALER_INTERVAL_MS: '50', RETELL_EMULATOR_TIMING: 'fast', CALL_MINUTES_PER_MONTH_PER_USER: '2' });
  }, 60_000);
  afterAll(async () => {
    await t.close();
  });

  it('pauses the campaign with pauseReason minutes_cap and a campaign.paused event; nothing is dialled', async () => {
    const user = await createUser(t.http);
    const agent = await createAgent(t.http, user);
    await t.http.post(`/agents/${agent.id}/phone-numbers`).set(...authHeader(user)).send({}).expect(201);
    await t.http.post('/contacts/import').set(...authHeader(user)).send([{ phoneNumber: '+14155557001' }, { phoneNumber: '+14155557002' }]).expect(200);
    const ids = (await t.db.query<{ id: number }>('select id from contacts where user_id = $1 order by id', [user.id])).map((row) => row.id);
    // This month's minutes are used up already: 3 minutes of ended calls in the rollups DialSlots reads.
    await t.db.query(
      `insert into call_rollups (user_id, bucket, agent_id, disconnection_reason, calls, connected_calls, duration_calls, duration_seconds,
                                 successful_calls, unsuccessful_calls, sentiment_positive, sentiment_negative, sentiment_neutral, sentiment_unknown, combined_cost)
       values ($1, date_bin('15 minutes', now() at time zone 'utc', timestamp '2000-01-01'), $2, 'agent_hangup', 1, 1, 1, 180, 1, 0, 1, 0, 0, 0, 0)`,
      [user.id, agent.id],
    );
    const before = t.emulator.state.calls.size;
    const campaign = (
      await t.http.post('/campaigns').set(...authHeader(user)).send({ name: 'Capped', agentId: agent.id, contactIds: ids, schedule: ALWAYS, retry: NO_RETRY }).expect(201)
    ).body;
    await t.http.post(`/campaigns/${campaign.id}/start`).set(...authHeader(user)).expect(200);
    const deadline = Date.now() + 20_000;
    let state = campaign;
    while (Date.now() < deadline && state.status !== 'paused') {
      state = (await t.http.get(`/campaigns/${campaign.id}`).set(...authHeader(user)).expect(200)).body;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(state).toMatchObject({ status: 'paused', pauseReason: 'minutes_cap', progress: { pending: 2, dialling: 0 } });
    expect(t.emulator.state.calls.size).toBe(before);
    const events = (await t.http.get('/events?type=campaign.paused').set(...authHeader(user)).expect(200)).body.items;
    expect(events).toHaveLength(1);
    expect(events[0].data).toMatchObject({ id: campaign.id, status: 'paused', pauseReason: 'minutes_cap' });
    // A single call is refused the same way.
    const single = await t.http.post(`/agents/${agent.id}/calls`).set(...authHeader(user)).send({ toNumber: '+14155557003' }).expect(429);
    expect(single.body.code).toBe('minutes_cap');
  });
});
