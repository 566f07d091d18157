import Retell from 'retell-sdk';
import { EMULATOR_API_KEY } from '../src/retell/retell-client.provider.js';
import { bootTestApp, type TestApp } from './support/app.js';
import { authHeader, createAgent, type AgentBody, type Caller } from './support/agents.js';
import { createApiKey, createUser, type TestUser } from './support/factories.js';

describe('Contacts (e2e)', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let aliceKey: Caller;

  beforeAll(async () => {
    t = await bootTestApp();
    alice = await createUser(t.http);
    bob = await createUser(t.http);
    aliceKey = { apiKey: (await createApiKey(t.http, alice)).key };
  });
  afterAll(async () => {
    await t.close();
  });

  let counter = 0;
  const nextNumber = () => `+1415555${String(1000 + counter++).padStart(4, '0')}`;
  const create = (caller: Caller, body: Record<string, unknown>) => t.http.post('/contacts').set(...authHeader(caller)).send(body);

  it('creates, reads, updates and deletes a contact, with a bearer token and an API key', async () => {
    const phoneNumber = nextNumber();
    const created = await create(aliceKey, {
      phoneNumber,
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      timezone: 'Europe/London',
      dynamicVariables: { tier: 'gold' },
      notes: 'Prefers afternoons',
    }).expect(201);
    expect(created.body).toMatchObject({ phoneNumber, name: 'Ada Lovelace', timezone: 'Europe/London', dynamicVariables: { tier: 'gold' }, doNotCall: false, blocked: false });
    const id = created.body.id;
    await t.http.get(`/contacts/${id}`).set(...authHeader(alice)).expect(200, created.body);
    const patched = await t.http.patch(`/contacts/${id}`).set(...authHeader(alice)).send({ doNotCall: true, notes: null, timezone: 'America/New_York' }).expect(200);
    expect(patched.body).toMatchObject({ doNotCall: true, notes: null, timezone: 'America/New_York', name: 'Ada Lovelace' });
    await t.http.delete(`/contacts/${id}`).set(...authHeader(aliceKey)).expect(204);
    await t.http.get(`/contacts/${id}`).set(...authHeader(alice)).expect(404);
  });

  it('refuses bad fields with a 400 naming each field, and stores nothing', async () => {
    const response = await create(alice, {
      phoneNumber: '4155550100',
      email: 'not-an-email',
      timezone: 'Mars/Olympus',
      dynamicVariables: { tier: 3 },
      doNotCall: 'yes',
      extra: 1,
    }).expect(400);
    const fields = (response.body.details as Array<{ field: string }>).map((detail) => detail.field).sort();
    expect(fields).toEqual(['doNotCall', 'dynamicVariables', 'email', 'extra', 'phoneNumber', 'timezone']);
    // Text PostgreSQL cannot store is refused at the input edge, before the DTO: the 400 names exactly where it is.
    const nulName = await create(alice, { phoneNumber: nextNumber(), name: 'nul\u0000byte' }).expect(400);
    expect(nulName.body.details.map((d: { field: string }) => d.field)).toEqual(['name']);
    expect(await t.db.query('select id from contacts where user_id = $1', [alice.id])).toEqual([]);
    await create(alice, { phoneNumber: nextNumber(), timezone: 'UTC+5' }).expect(400);
    const nul = await create(alice, { phoneNumber: nextNumber(), dynamicVariables: { tier: 'go\u0000ld' } }).expect(400);
    expect(nul.body.details.map((d: { field: string }) => d.field)).toEqual(['dynamicVariables.tier']);
    await create(alice, { phoneNumber: nextNumber(), notes: 'lone \uD800 surrogate' }).expect(400);
    await t.http.patch('/contacts/1').set(...authHeader(alice)).send({ doNotCall: null }).expect((r) => expect([400, 404]).toContain(r.status));
  });

  it('keeps one contact per number per tenant (409), also under concurrency; another tenant may have the same number', async () => {
    const phoneNumber = nextNumber();
    const results = await Promise.all(Array.from({ length: 5 }, () => create(alice, { phoneNumber })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    await create(bob, { phoneNumber }).expect(201);
    const other = await create(alice, { phoneNumber: nextNumber() }).expect(201);
    await t.http.patch(`/contacts/${other.body.id}`).set(...authHeader(alice)).send({ phoneNumber }).expect(409);
  });

  it("answers another tenant's contact with 404 on every route", async () => {
    const mine = await create(alice, { phoneNumber: nextNumber(), name: 'Mine' }).expect(201);
    await t.http.get(`/contacts/${mine.body.id}`).set(...authHeader(bob)).expect(404);
    await t.http.patch(`/contacts/${mine.body.id}`).set(...authHeader(bob)).send({ name: 'Stolen' }).expect(404);
    await t.http.delete(`/contacts/${mine.body.id}`).set(...authHeader(bob)).expect(404);
    const list = await t.http.get('/contacts').set(...authHeader(bob)).query({ q: 'Mine' }).expect(200);
    expect(list.body.items).toEqual([]);
    await t.http.get(`/contacts/${mine.body.id}`).set(...authHeader(alice)).expect(200);
  });

  it('lists in keyset pages; q matches name or number literally and case-insensitively; doNotCall filters', async () => {
    const carol = await createUser(t.http);
    const names = ['Zoe 100% Real', 'zoe_under', 'Other', 'Zoex'];
    const made = [];
    for (const [i, name] of names.entries()) made.push((await create(carol, { phoneNumber: `+4930123456${i}`, name, doNotCall: i % 2 === 0 }).expect(201)).body);
    const list = (query: Record<string, unknown>) => t.http.get('/contacts').set(...authHeader(carol)).query(query).expect(200);
    const all: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await list({ limit: 3, ...(cursor && { cursor }) });
      all.push(...page.body.items.map((c: { id: number }) => c.id));
      cursor = page.body.nextCursor ?? undefined;
    } while (cursor);
    expect(all).toEqual(made.map((c) => c.id).reverse());
    const ids = async (query: Record<string, unknown>) => (await list(query)).body.items.map((c: { name: string }) => c.name).sort();
    expect(await ids({ q: 'ZOE' })).toEqual(['Zoex', 'Zoe 100% Real', 'zoe_under'].sort());
    expect(await ids({ q: '100%' })).toEqual(['Zoe 100% Real']);
    expect(await ids({ q: '%' })).toEqual(['Zoe 100% Real']);
    expect(await ids({ q: '_' })).toEqual(['zoe_under']);
    expect(await ids({ q: '+49301234562' })).toEqual(['Other']);
    expect(await ids({ doNotCall: 'true' })).toEqual(['Other', 'Zoe 100% Real'].sort());
    expect(await ids({ doNotCall: 'false', q: 'zoe' })).toEqual(['Zoex', 'zoe_under'].sort());
    await t.http.get('/contacts').set(...authHeader(carol)).query({ doNotCall: 'maybe' }).expect(400);
    await t.http.get('/contacts').set(...authHeader(carol)).query({ limit: 101 }).expect(400);
  });

  describe('import', () => {
    const importCsv = (caller: Caller, csv: string, query: Record<string, string> = {}) =>
      t.http.post('/contacts/import').query(query).set(...authHeader(caller)).set('content-type', 'text/csv').send(csv);

    it('upserts valid CSV rows by number, reports invalid rows by row and field, and keeps fields a row does not give', async () => {
      const dave = await createUser(t.http);
      const existing = await create(dave, { phoneNumber: '+14155550001', name: 'Old name', notes: 'keep me', email: 'keep@example.com' }).expect(201);
      const csv = [
        'phoneNumber,name,email,timezone,doNotCall,dynamicVariables.tier',
        '+14155550001,New name,,Europe/Berlin,yes,gold', // update: email cell empty → kept
        '+14155550002,"Smith, Jane",jane@example.com,,false,',
        'not-a-number,Bad,,,,', // invalid phoneNumber
        '+14155550003,Bad zone,,Nowhere/Land,,', // invalid timezone
        '+14155550002,Repeat,,,,', // repeats row 2
        '+14155550004,Bad flag,,,perhaps,',
        '+14155550005,Too,many,cells,here,now,extra',
      ].join('\n');
      const dry = await importCsv(dave, csv, { dryRun: 'true' }).expect(200);
      expect(dry.body).toMatchObject({ created: 1, updated: 1, dryRun: true });
      expect((await t.http.get(`/contacts/${existing.body.id}`).set(...authHeader(dave)).expect(200)).body.name).toBe('Old name');
      expect(await t.db.query('select id from contacts where user_id = $1', [dave.id])).toHaveLength(1);

      const response = await importCsv(dave, csv).expect(200);
      expect(response.body).toMatchObject({ created: 1, updated: 1, dryRun: false });
      expect(response.body.invalid.map((e: { row: number; field: string }) => [e.row, e.field])).toEqual([
        [3, 'phoneNumber'],
        [4, 'timezone'],
        [5, 'phoneNumber'],
        [6, 'doNotCall'],
        [7, 'row'],
      ]);
      expect(response.body.invalid[4].message).toBe('has 7 cells; the header has 6');
      expect(response.body.invalid[2].message).toBe('repeats the number of row 2');
      const updated = (await t.http.get(`/contacts/${existing.body.id}`).set(...authHeader(dave)).expect(200)).body;
      expect(updated).toMatchObject({ name: 'New name', email: 'keep@example.com', notes: 'keep me', timezone: 'Europe/Berlin', doNotCall: true, dynamicVariables: { tier: 'gold' } });
      const list = await t.http.get('/contacts').set(...authHeader(dave)).query({ q: 'Smith' }).expect(200);
      expect(list.body.items).toEqual([expect.objectContaining({ phoneNumber: '+14155550002', name: 'Smith, Jane', email: 'jane@example.com', doNotCall: false })]);
    });

    it('takes a JSON array too; null clears a field', async () => {
      const erin = await createUser(t.http);
      await create(erin, { phoneNumber: '+14155550011', notes: 'old' }).expect(201);
      const response = await t.http.post('/contacts/import').set(...authHeader(erin)).send([
        { phoneNumber: '+14155550011', notes: null, blocked: true },
        { phoneNumber: '+14155550012', name: 'New' },
        'not an object',
        { phoneNumber: '+14155550013', unknown: 1 },
      ]).expect(200);
      expect(response.body).toEqual({
        created: 1,
        updated: 1,
        dryRun: false,
        invalid: [
          { row: 3, field: 'row', message: 'must be an object' },
          { row: 4, field: 'unknown', message: 'is not allowed' },
        ],
      });
      const rows = await t.db.query<{ phone_number: string; notes: string | null; blocked: boolean }>('select phone_number, notes, blocked from contacts where user_id = $1 order by phone_number', [erin.id]);
      expect(rows).toEqual([
        { phone_number: '+14155550011', notes: null, blocked: true },
        { phone_number: '+14155550012', notes: null, blocked: false },
      ]);
      await t.http.post('/contacts/import').set(...authHeader(erin)).send({ phoneNumber: '+14155550014' }).expect(400);
    });

    it('imports 10,000 rows; 10,001 is a 413 that writes nothing', async () => {
      const frank = await createUser(t.http);
      const rows = (count: number) => ['phoneNumber,name', ...Array.from({ length: count }, (_, i) => `+1212555${String(i).padStart(4, '0')},Person ${i}`)].join('\n');
      const tooMany = await importCsv(frank, rows(10_001).replace('+12125550000', '+13125550000')).expect(413);
      expect(tooMany.body.statusCode).toBe(413);
      expect(await t.db.query('select count(*)::int as n from contacts where user_id = $1', [frank.id])).toEqual([{ n: 0 }]);
      const ok = await importCsv(frank, rows(10_000)).expect(200);
      expect(ok.body).toEqual({ created: 10_000, updated: 0, invalid: [], dryRun: false });
      const again = await importCsv(frank, rows(10_000)).expect(200);
      expect(again.body).toEqual({ created: 0, updated: 10_000, invalid: [], dryRun: false });
      expect(await t.db.query('select count(*)::int as n from contacts where user_id = $1', [frank.id])).toEqual([{ n: 10_000 }]);
    });

    it('refuses a bad header or malformed CSV with a 400, and text/csv on any other route with a 415', async () => {
      await importCsv(alice, 'name,colour\nAda,red\n').expect(400);
      await importCsv(alice, '').expect(400);
      const malformed = await importCsv(alice, 'phoneNumber,name\n"+14155550100,unterminated\n').expect(400);
      expect(malformed.body.statusCode).toBe(400);
      const wrongRoute = await t.http.post('/contacts').set(...authHeader(alice)).set('content-type', 'text/csv').send('phoneNumber\n+14155550100\n');
      expect(wrongRoute.status).toBe(415);
      await t.http.post('/contacts/import').set('content-type', 'text/csv').send('phoneNumber\n+14155550100\n').expect(401);
    });
  });

  describe('calls carry contactId', () => {
    let agent: AgentBody;
    beforeAll(async () => {
      agent = await createAgent(t.http, alice);
    });

    const deliver = async (payload: unknown) => {
      const body = JSON.stringify(payload);
      await t.http.post('/webhooks/retell').set('content-type', 'application/json').set('x-retell-signature', await Retell.sign(body, EMULATOR_API_KEY)).send(body).expect(204);
    };
    const callEvent = (callId: string, direction: 'inbound' | 'outbound', from: string, to: string) => ({
      event: 'call_started',
      call: { call_id: callId, agent_id: agent.retellAgentId, call_type: 'phone_call', direction, from_number: from, to_number: to, call_status: 'ongoing', start_timestamp: Date.now() },
    });

    it('links the contact with the other party: to_number outbound, from_number inbound; a later contact shows at read time', async () => {
      const caller = nextNumber();
      const callee = nextNumber();
      const ours = nextNumber();
      const callerContact = (await create(alice, { phoneNumber: caller })).body;
      const calleeContact = (await create(alice, { phoneNumber: callee })).body;
      await create(bob, { phoneNumber: nextNumber() }).expect(201);
      await deliver(callEvent('ct-inbound', 'inbound', caller, ours));
      await deliver(callEvent('ct-outbound', 'outbound', ours, callee));
      const later = nextNumber();
      await deliver(callEvent('ct-later', 'inbound', later, ours));
      const stored = await t.db.query<{ retell_call_id: string; contact_id: number | null }>(
        "select retell_call_id, contact_id from calls where retell_call_id like 'ct-%' order by retell_call_id",
      );
      expect(stored).toEqual([
        { retell_call_id: 'ct-inbound', contact_id: callerContact.id },
        { retell_call_id: 'ct-later', contact_id: null },
        { retell_call_id: 'ct-outbound', contact_id: calleeContact.id },
      ]);
      const laterContact = (await create(alice, { phoneNumber: later })).body;
      const list = await t.http.get('/calls').set(...authHeader(alice)).query({ agentId: agent.id }).expect(200);
      const byRetellId = Object.fromEntries(list.body.items.map((c: { retellCallId: string; contactId: number | null }) => [c.retellCallId, c.contactId]));
      expect(byRetellId).toEqual({ 'ct-inbound': callerContact.id, 'ct-outbound': calleeContact.id, 'ct-later': laterContact.id });
      const laterId = list.body.items.find((c: { retellCallId: string }) => c.retellCallId === 'ct-later').id;
      expect((await t.http.get(`/calls/${laterId}`).set(...authHeader(alice)).expect(200)).body.contactId).toBe(laterContact.id);
      // The next event of the call stores it.
      await deliver({ ...callEvent('ct-later', 'inbound', later, ours), event: 'call_ended', call: { ...callEvent('ct-later', 'inbound', later, ours).call, call_status: 'ended', end_timestamp: Date.now() } });
      expect(await t.db.query("select contact_id from calls where retell_call_id = 'ct-later'")).toEqual([{ contact_id: laterContact.id }]);
      // Deleting the contact keeps the call, without a contact.
      await t.http.delete(`/contacts/${callerContact.id}`).set(...authHeader(alice)).expect(204);
      const inboundId = list.body.items.find((c: { retellCallId: string }) => c.retellCallId === 'ct-inbound').id;
      expect((await t.http.get(`/calls/${inboundId}`).set(...authHeader(alice)).expect(200)).body.contactId).toBeNull();
    });
  });
});
