import { bootTestApp, type TestApp } from './support/app.js';
import { authHeader, createAgent } from './support/agents.js';
import { createApiKey, createUser, type TestUser } from './support/factories.js';

describe('phone numbers (e2e)', () => {
  let t: TestApp;
  let alice: TestUser;

  beforeAll(async () => {
    t = await bootTestApp();
    alice = await createUser(t.http);
  });
  afterAll(async () => {
    await t.close();
  });

  const bindingAt = (number: string) => {
    const remote = t.emulator.state.phoneNumbers.get(number)!.view;
    return { inbound: remote.inbound_agents?.map((a) => a.agent_id) ?? [], outbound: remote.outbound_agents?.map((a) => a.agent_id) ?? [] };
  };

  it('buys a number at Retell bound inbound and outbound to the agent', async () => {
    const agent = await createAgent(t.http, alice);
    const bought = await t.http.post(`/agents/${agent.id}/phone-numbers`).set(...authHeader(alice)).send({ areaCode: 415, nickname: 'Front desk' }).expect(201);
    expect(bought.body).toMatchObject({ agentId: agent.id, isActive: true, nickname: 'Front desk', numberType: 'retell-twilio' });
    expect(bought.body.phoneNumber).toMatch(/^\+1415\d{7}$/);
    expect(bindingAt(bought.body.phoneNumber)).toEqual({ inbound: [agent.retellAgentId], outbound: [agent.retellAgentId] });
    const listed = await t.http.get(`/phone-numbers?agentId=${agent.id}`).set(...authHeader(alice)).expect(200);
    expect(listed.body.items.map((n: { id: number }) => n.id)).toEqual([bought.body.id]);
  });

  it('imports a SIP number without ever returning or storing its credentials', async () => {
    const agent = await createAgent(t.http, alice);
    const imported = await t.http
      .post(`/agents/${agent.id}/phone-numbers/import`)
      .set(...authHeader(alice))
      .send({ phoneNumber: '+14155550777', terminationUri: 'acme.pstn.twilio.com', sipTrunkAuthUsername: 'sip-user', sipTrunkAuthPassword: 's3cret-sip-pass' })
      .expect(201);
    expect(imported.body).toMatchObject({ phoneNumber: '+14155550777', numberType: 'custom', agentId: agent.id });
    expect(JSON.stringify(imported.body)).not.toMatch(/s3cret|sip-user/);
    const rows = await t.db.query('select * from phone_numbers where phone_number = $1', ['+14155550777']);
    expect(JSON.stringify(rows)).not.toMatch(/s3cret|sip-user/);
    expect(bindingAt('+14155550777').inbound).toEqual([agent.retellAgentId]);

    // The same number again, by anyone, is a 409 and never reaches Retell.
    const bob = await createUser(t.http);
    const bobsAgent = await createAgent(t.http, bob);
    await t.http.post(`/agents/${bobsAgent.id}/phone-numbers/import`).set(...authHeader(bob)).send({ phoneNumber: '+14155550777', terminationUri: 'bob.pstn.twilio.com' }).expect(409);
    expect(bindingAt('+14155550777').inbound).toEqual([agent.retellAgentId]);
  });

  it('lets only one of two concurrent imports of a number through', async () => {
    const agent = await createAgent(t.http, alice);
    const body = { phoneNumber: '+14155550888', terminationUri: 'acme.pstn.twilio.com' };
    const results = await Promise.all([1, 2].map(() => t.http.post(`/agents/${agent.id}/phone-numbers/import`).set(...authHeader(alice)).send(body)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const rows = await t.db.query('select id from phone_numbers where phone_number = $1', [body.phoneNumber]);
    expect(rows).toHaveLength(1);
  });

  it('validates E.164 and the SIP host, writing nothing', async () => {
    const agent = await createAgent(t.http, alice);
    const before = t.emulator.state.phoneNumbers.size;
    const bad = await t.http.post(`/agents/${agent.id}/phone-numbers/import`).set(...authHeader(alice)).send({ phoneNumber: '4155550123', terminationUri: 'https://x/y' }).expect(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['phoneNumber', 'terminationUri']);
    await t.http.post(`/agents/${agent.id}/phone-numbers`).set(...authHeader(alice)).send({ areaCode: 12, countryCode: 'FR' }).expect(400);
    expect(t.emulator.state.phoneNumbers.size).toBe(before);
  });

  it('moves a number to another agent and deactivates it, updating Retell first', async () => {
    const first = await createAgent(t.http, alice);
    const second = await createAgent(t.http, alice);
    const bought = await t.http.post(`/agents/${first.id}/phone-numbers`).set(...authHeader(alice)).send({}).expect(201);
    const moved = await t.http.patch(`/phone-numbers/${bought.body.id}`).set(...authHeader(alice)).send({ agentId: second.id }).expect(200);
    expect(moved.body.agentId).toBe(second.id);
    expect(bindingAt(bought.body.phoneNumber)).toEqual({ inbound: [second.retellAgentId], outbound: [second.retellAgentId] });
    const off = await t.http.patch(`/phone-numbers/${bought.body.id}`).set(...authHeader(alice)).send({ isActive: false }).expect(200);
    expect(off.body.isActive).toBe(false);
    expect(bindingAt(bought.body.phoneNumber)).toEqual({ inbound: [], outbound: [] });

    // Retell refusing the change leaves our row as it was.
    t.emulator.injectFault({ path: '/update-phone-number', kind: 'status', status: 500, times: 5 });
    await t.http.patch(`/phone-numbers/${bought.body.id}`).set(...authHeader(alice)).send({ isActive: true }).expect(502);
    t.emulator.clearFaults();
    const [row] = await t.db.query<{ is_active: boolean }>('select is_active from phone_numbers where id = $1', [bought.body.id]);
    expect(row.is_active).toBe(false);
  });

  it('releases a number at Retell on delete', async () => {
    const agent = await createAgent(t.http, alice);
    const bought = await t.http.post(`/agents/${agent.id}/phone-numbers`).set(...authHeader(alice)).send({}).expect(201);
    await t.http.delete(`/phone-numbers/${bought.body.id}`).set(...authHeader(alice)).expect(204);
    expect(t.emulator.state.phoneNumbers.has(bought.body.phoneNumber)).toBe(false);
    await t.http.get(`/phone-numbers/${bought.body.id}`).set(...authHeader(alice)).expect(404);
  });

  it("hides another user's numbers (404 for JWT and API key) and refuses binding to their agents", async () => {
    const agent = await createAgent(t.http, alice);
    const bought = await t.http.post(`/agents/${agent.id}/phone-numbers`).set(...authHeader(alice)).send({}).expect(201);
    const bob = await createUser(t.http);
    const bobKey = { apiKey: (await createApiKey(t.http, bob)).key };
    const bobsAgent = await createAgent(t.http, bob);
    for (const caller of [bob, bobKey]) {
      await t.http.get(`/phone-numbers/${bought.body.id}`).set(...authHeader(caller)).expect(404);
      await t.http.patch(`/phone-numbers/${bought.body.id}`).set(...authHeader(caller)).send({ isActive: false }).expect(404);
      await t.http.delete(`/phone-numbers/${bought.body.id}`).set(...authHeader(caller)).expect(404);
      await t.http.post(`/agents/${agent.id}/phone-numbers`).set(...authHeader(caller)).send({}).expect(404);
      const list = await t.http.get('/phone-numbers').set(...authHeader(caller)).expect(200);
      expect(list.body.items.map((n: { id: number }) => n.id)).not.toContain(bought.body.id);
    }
    // Alice cannot move her number onto Bob's agent either.
    await t.http.patch(`/phone-numbers/${bought.body.id}`).set(...authHeader(alice)).send({ agentId: bobsAgent.id }).expect(404);
    expect(bindingAt(bought.body.phoneNumber).inbound).toEqual([agent.retellAgentId]);
  });
});
