import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sign } from 'retell-sdk';
import { Webhook } from 'standardwebhooks';
import type { InboundOutcome } from '@retell-agents/retell-emulator';
import { Clock } from '../src/common/clock.js';
import { EMULATOR_API_KEY } from '../src/retell/retell-client.provider.js';
import { bootTestApp, type TestApp } from './support/app.js';
import { authHeader, createAgent, type AgentBody } from './support/agents.js';
import { createUser, type TestUser } from './support/factories.js';

/** The tenant's own system: records each request and answers with `answer` (a JSON body), or never (`'hang'`). */
class TenantSystem {
  readonly received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  answer: unknown = {};
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        if (this.answer !== 'hang') response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.answer));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/inbound`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

// Monday 7 December 2026. New York is UTC−5 then: the UTC and New York office days differ by five hours.
const NY_10_AM = new Date('2026-12-07T15:00:00Z'); // 15:00 UTC, open in New York (and in UTC)
const NY_5_AM = new Date('2026-12-07T10:00:00Z'); // 10:00 UTC — open in UTC, but 05:00 in New York: after hours
const NY_3_PM = new Date('2026-12-07T20:00:00Z'); // 20:00 UTC — closed in UTC, but 15:00 in New York: open

describe('inbound routing (e2e)', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let day: AgentBody;
  let night: AgentBody;
  let bobsAgent: AgentBody;
  let number: { id: number; phoneNumber: string };
  const tenant = new TenantSystem();
  let tenantUrl: string;
  let clock: Clock;

  const routingUrl = () => `/phone-numbers/${number.id}/inbound-routing`;
  const officeHours = () => ({
    timezone: 'America/New_York',
    hours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' }],
    afterHours: { action: 'agent', agentId: night.id },
  });
  const put = (body: Record<string, unknown>, caller: TestUser = alice) => t.http.put(routingUrl()).set(...authHeader(caller)).send(body);
  const at = (now: Date) => {
    clock.now = () => now;
  };
  const remoteNumber = () => t.emulator.state.phoneNumbers.get(number.phoneNumber)!.view;
  const ring = (from: string): Promise<InboundOutcome> => t.emulator.callInbound({ from_number: from, to_number: number.phoneNumber });
  const connected = (outcome: InboundOutcome) => {
    if (outcome.outcome !== 'connected') throw new Error(`refused: ${outcome.reason}`);
    return outcome.call;
  };

  beforeAll(async () => {
    t = await bootTestApp({ URLS_ALLOW_PRIVATE: 'true' });
    clock = t.app.get(Clock);
    tenantUrl = await tenant.start();
    [alice, bob] = [await createUser(t.http), await createUser(t.http)];
    day = await createAgent(t.http, alice, { name: 'Front desk' });
    night = await createAgent(t.http, alice, { name: 'Night line' });
    bobsAgent = await createAgent(t.http, bob);
    number = (await t.http.post(`/agents/${day.id}/phone-numbers`).set(...authHeader(alice)).send({}).expect(201)).body;
  });
  afterEach(async () => {
    await t.emulator.waitForIdle();
    tenant.received.length = 0;
    tenant.answer = {};
  });
  afterAll(async () => {
    await tenant.stop();
    await t.close();
  });

  it('refuses invalid routings with a 400 naming the field, and changes nothing', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...officeHours(), timezone: 'Mars/Olympus' }, 'timezone'],
      [{ ...officeHours(), timezone: '+05:00' }, 'timezone'],
      [{ ...officeHours(), hours: [{ days: ['monday'], start: '09:00', end: '17:00' }] }, 'hours.0.days'],
      [{ ...officeHours(), hours: [{ days: [], start: '09:00', end: '17:00' }] }, 'hours.0.days'],
      [{ ...officeHours(), hours: [{ days: ['mon'], start: '9:00', end: '17:00' }] }, 'hours.0.start'],
      [{ ...officeHours(), hours: [{ days: ['mon'], start: '09:00', end: '24:30' }] }, 'hours.0.end'],
      [{ ...officeHours(), hours: [{ days: ['mon'], start: '22:00', end: '06:00' }] }, 'hours.0.end'],
      [{ ...officeHours(), hours: [{ days: ['mon'], start: '09:00', end: '09:00' }] }, 'hours.0.end'],
      [{ ...officeHours(), afterHours: { action: 'agent' } }, 'afterHours.agentId'],
      [{ ...officeHours(), afterHours: { action: 'reject', agentId: night.id } }, 'afterHours.agentId'],
      [{ ...officeHours(), afterHours: { action: 'voicemail' } }, 'afterHours.action'],
      [{ ...officeHours(), webhookTimeoutMs: 5000 }, 'webhookTimeoutMs'],
      [{ ...officeHours(), webhookUrl: 'ftp://crm.example.com/hook' }, 'webhookUrl'],
      [{ ...officeHours(), extra: true }, 'extra'],
      [{ timezone: 'UTC', hours: [] }, 'afterHours'],
      [{ timezone: 'UTC', afterHours: { action: 'reject' } }, 'hours'],
      [{ ...officeHours(), hours: ['9-5'] }, 'hours.0'],
      [{ ...officeHours(), hours: [null] }, 'hours.0'],
      [{ ...officeHours(), afterHours: null }, 'afterHours'],
      [{ ...officeHours(), afterHours: [] }, 'afterHours'],
      [{ ...officeHours(), lookupContacts: 'yes' }, 'lookupContacts'],
      [{ ...officeHours(), rotateSecret: true }, 'rotateSecret'],
    ];
    for (const [body, field] of cases) {
      const response = await put(body).expect(400);
      expect({ field, got: (response.body.details as Array<{ field: string }>).map((detail) => detail.field) }).toEqual({ field, got: [field] });
    }
    await t.http.get(routingUrl()).set(...authHeader(alice)).expect(404);
    expect(remoteNumber().inbound_webhook_url ?? null).toBeNull();
  });

  it("refuses another tenant's agent (404 naming the field) and another tenant's number (404), touching nothing", async () => {
    const foreign = await put({ ...officeHours(), afterHours: { action: 'agent', agentId: bobsAgent.id } }).expect(404);
    expect(foreign.body.details).toEqual([{ field: 'afterHours.agentId', messages: ['is not one of your agents'] }]);
    await put({ ...officeHours(), afterHours: { action: 'reject' } }, bob).expect(404);
    await t.http.get(routingUrl()).set(...authHeader(bob)).expect(404);
    await t.http.delete(routingUrl()).set(...authHeader(bob)).expect(404);
    expect(remoteNumber()).toMatchObject({ inbound_agents: [{ agent_id: day.retellAgentId, weight: 1 }] });
    expect(remoteNumber().inbound_webhook_url ?? null).toBeNull();
    expect(await t.db.query('select 1 from inbound_routings')).toHaveLength(0);
  });

  it('points the number at this server, and answers with the agent for the hour in the routing time zone', async () => {
    const saved = await put(officeHours()).expect(200);
    expect(saved.body).toMatchObject({ phoneNumberId: number.id, timezone: 'America/New_York', afterHours: { action: 'agent', agentId: night.id }, lookupContacts: true, webhookUrl: null });
    expect(saved.body).not.toHaveProperty('signingSecret');
    expect(remoteNumber()).toMatchObject({ inbound_agents: [], inbound_webhook_url: `${t.baseUrl}/webhooks/retell/inbound`, outbound_agents: [{ agent_id: day.retellAgentId, weight: 1 }] });
    expect((await t.http.get(routingUrl()).set(...authHeader(alice)).expect(200)).body).toEqual(saved.body);

    at(NY_10_AM);
    expect(connected(await ring('+12125550101')).agent_id).toBe(day.retellAgentId);
    at(NY_5_AM);
    expect(connected(await ring('+12125550101')).agent_id).toBe(night.retellAgentId);
    at(NY_3_PM);
    expect(connected(await ring('+12125550101')).agent_id).toBe(day.retellAgentId);
    // Saturday in New York: after hours all day.
    at(new Date('2026-12-12T16:00:00Z'));
    const weekend = connected(await ring('+12125550101'));
    expect(weekend).toMatchObject({ agent_id: night.retellAgentId, metadata: { app: { user_id: alice.id, agent_id: night.id, phone_number_id: number.id, contact_id: null, routing: 'after_hours' } } });
    // Our answer is what Retell got on the first attempt: no retry, so Retell never fell back.
    expect(t.emulator.deliveries.filter((d) => d.event === 'call_inbound').every((d) => d.attempt === 1 && d.status === 200)).toBe(true);
  });

  it('greets a known caller by name: the contact reaches the call as dynamic variables, its id in metadata and on our call', async () => {
    await put(officeHours()).expect(200);
    const ada = (await t.http.post('/contacts').set(...authHeader(alice)).send({ phoneNumber: '+12125550102', name: 'Ada Lovelace', dynamicVariables: { plan: 'gold' } }).expect(201)).body;
    at(NY_10_AM);
    const call = connected(await ring('+12125550102'));
    expect(call).toMatchObject({
      agent_id: day.retellAgentId,
      retell_llm_dynamic_variables: { contact_name: 'Ada Lovelace', plan: 'gold' },
      metadata: { app: { contact_id: ada.id, routing: 'in_hours' } },
    });
    await t.emulator.waitForIdle();
    const list = await t.http.get(`/calls?direction=inbound&agentId=${day.id}`).set(...authHeader(alice)).expect(200);
    const ours = list.body.items.find((item: { retellCallId: string }) => item.retellCallId === call.call_id);
    expect(ours).toMatchObject({ contactId: ada.id, status: 'ended' });
    const detail = await t.http.get(`/calls/${ours.id}`).set(...authHeader(alice)).expect(200);
    expect(detail.body.dynamicVariables).toEqual({ contact_name: 'Ada Lovelace', plan: 'gold' });

    // With lookupContacts off, the caller is not looked up.
    await put({ ...officeHours(), lookupContacts: false }).expect(200);
    expect(connected(await ring('+12125550102'))).not.toHaveProperty('retell_llm_dynamic_variables');
  });

  it('refuses a blocked contact and, with afterHours reject, calls after hours — no call is created', async () => {
    await put(officeHours()).expect(200);
    await t.http.post('/contacts').set(...authHeader(alice)).send({ phoneNumber: '+12125550103', name: 'Spam Caller', blocked: true }).expect(201);
    at(NY_10_AM);
    const before = t.emulator.state.calls.size;
    expect(await ring('+12125550103')).toMatchObject({ outcome: 'refused', reason: 'rejected' });

    await put({ ...officeHours(), afterHours: { action: 'reject' } }).expect(200);
    at(NY_5_AM);
    expect(await ring('+12125550104')).toMatchObject({ outcome: 'refused', reason: 'rejected' });
    expect(t.emulator.state.calls.size).toBe(before);
    at(NY_10_AM);
    expect(connected(await ring('+12125550104')).agent_id).toBe(day.retellAgentId);
  });

  it("asks the tenant's system first, signed with Standard Webhooks, and obeys its answer", async () => {
    const saved = await put({ ...officeHours(), webhookUrl: tenantUrl, webhookTimeoutMs: 2000 }).expect(200);
    const secret = saved.body.signingSecret as string;
    expect(secret).toMatch(/^whsec_/);
    // Shown once: a later PUT keeps the secret without showing it; rotateSecret makes (and shows) a new one.
    expect((await put({ ...officeHours(), webhookUrl: tenantUrl, webhookTimeoutMs: 2000 }).expect(200)).body).not.toHaveProperty('signingSecret');
    expect((await t.http.get(routingUrl()).set(...authHeader(alice)).expect(200)).body).not.toHaveProperty('signingSecret');

    at(NY_10_AM);
    tenant.answer = { agentId: night.id, dynamicVariables: { vip: 'yes' } };
    const call = connected(await ring('+12125550105'));
    expect(call).toMatchObject({ agent_id: night.retellAgentId, retell_llm_dynamic_variables: { vip: 'yes' }, metadata: { app: { routing: 'tenant_agent' } } });
    expect(tenant.received).toHaveLength(1);
    const [request] = tenant.received;
    const verified = new Webhook(secret).verify(request!.body, {
      'webhook-id': String(request!.headers['webhook-id']),
      'webhook-timestamp': String(request!.headers['webhook-timestamp']),
      'webhook-signature': String(request!.headers['webhook-signature']),
    }) as { type: string; data: Record<string, unknown> };
    expect(verified).toMatchObject({
      type: 'call.inbound',
      data: { phoneNumberId: number.id, fromNumber: '+12125550105', toNumber: number.phoneNumber, retellCallId: call.call_id, contact: null, rules: { decision: 'answer', agentId: day.id, reason: 'in_hours' } },
    });
    expect(request!.headers['webhook-id']).toBe(`inbound_${call.call_id}`);

    tenant.answer = { reject: true };
    expect(await ring('+12125550105')).toMatchObject({ outcome: 'refused' });

    const rotated = await put({ ...officeHours(), webhookUrl: tenantUrl, rotateSecret: true }).expect(200);
    expect(rotated.body.signingSecret).toMatch(/^whsec_/);
    expect(rotated.body.signingSecret).not.toBe(secret);
  });

  it("ignores an agent of another tenant named by the tenant's system, and answers by the rules", async () => {
    await put({ ...officeHours(), webhookUrl: tenantUrl }).expect(200);
    at(NY_10_AM);
    tenant.answer = { agentId: bobsAgent.id, dynamicVariables: { note: 'kept' } };
    expect(connected(await ring('+12125550106'))).toMatchObject({ agent_id: day.retellAgentId, retell_llm_dynamic_variables: { note: 'kept' } });
    tenant.answer = { agentId: 'not a number', dynamicVariables: { bad: 42 } };
    const call = connected(await ring('+12125550106'));
    expect(call.agent_id).toBe(day.retellAgentId);
    expect(call).not.toHaveProperty('retell_llm_dynamic_variables');
  });

  it("answers by the rules, within the tenant's timeout, when the tenant's system does not answer", async () => {
    await put({ ...officeHours(), webhookUrl: tenantUrl, webhookTimeoutMs: 300 }).expect(200);
    at(NY_5_AM);
    tenant.answer = 'hang';
    const call = connected(await ring('+12125550107'));
    expect(call).toMatchObject({ agent_id: night.retellAgentId, metadata: { app: { routing: 'after_hours' } } });
    expect(tenant.received).toHaveLength(1);
    // Retell got our answer on its first attempt (its own timeout is 10 s): the call never waited for a retry.
    const attempts = t.emulator.deliveries.filter((d) => d.event === 'call_inbound' && d.call_id === call.call_id);
    expect(attempts).toEqual([expect.objectContaining({ attempt: 1, status: 200 })]);
  });

  it('accepts only call_inbound requests signed by Retell', async () => {
    const body = JSON.stringify({ event: 'call_inbound', call_inbound: { from_number: '+12125550108', to_number: number.phoneNumber } });
    await t.http.post('/webhooks/retell/inbound').set('content-type', 'application/json').send(body).expect(401);
    const forged = (await sign(body, EMULATOR_API_KEY)).replace(/d=./, (match) => (match === 'd=0' ? 'd=1' : 'd=0'));
    await t.http.post('/webhooks/retell/inbound').set('content-type', 'application/json').set('x-retell-signature', forged).send(body).expect(401);
    const malformed = JSON.stringify({ event: 'call_inbound', call_inbound: { to_number: number.phoneNumber } });
    await t.http.post('/webhooks/retell/inbound').set('content-type', 'application/json').set('x-retell-signature', await sign(malformed, EMULATOR_API_KEY)).send(malformed).expect(400);
    const unknown = JSON.stringify({ event: 'call_inbound', call_inbound: { from_number: '+12125550108', to_number: '+19995550000' } });
    const refused = await t.http.post('/webhooks/retell/inbound').set('content-type', 'application/json').set('x-retell-signature', await sign(unknown, EMULATOR_API_KEY)).send(unknown).expect(200);
    expect(refused.body).toEqual({ call_inbound: {} });
  });

  it('keeps routing when the number is renamed, and DELETE restores the plain binding at Retell', async () => {
    await put(officeHours()).expect(200);
    await t.http.patch(`/phone-numbers/${number.id}`).set(...authHeader(alice)).send({ nickname: 'Main line' }).expect(200);
    expect(remoteNumber()).toMatchObject({ inbound_agents: [], inbound_webhook_url: `${t.baseUrl}/webhooks/retell/inbound`, nickname: 'Main line' });

    await t.http.delete(routingUrl()).set(...authHeader(alice)).expect(204);
    expect(remoteNumber()).toMatchObject({ inbound_agents: [{ agent_id: day.retellAgentId, weight: 1 }], outbound_agents: [{ agent_id: day.retellAgentId, weight: 1 }] });
    expect(remoteNumber().inbound_webhook_url ?? null).toBeNull();
    await t.http.get(routingUrl()).set(...authHeader(alice)).expect(404);
    await t.http.delete(routingUrl()).set(...authHeader(alice)).expect(404);
    // Retell rings the bound agent directly again, without asking us.
    const delivered = t.emulator.deliveries.filter((d) => d.event === 'call_inbound').length;
    at(NY_5_AM);
    expect(connected(await ring('+12125550109')).agent_id).toBe(day.retellAgentId);
    expect(t.emulator.deliveries.filter((d) => d.event === 'call_inbound')).toHaveLength(delivered);
  });

  it('stores nothing when Retell refuses the change', async () => {
    t.emulator.injectFault({ path: '/update-phone-number', kind: 'status', status: 500, times: 5 });
    try {
      const response = await put(officeHours());
      expect([502, 503]).toContain(response.status);
    } finally {
      t.emulator.clearFaults();
    }
    expect(await t.db.query('select 1 from inbound_routings')).toHaveLength(0);
    expect(remoteNumber()).toMatchObject({ inbound_agents: [{ agent_id: day.retellAgentId, weight: 1 }] });
    expect(remoteNumber().inbound_webhook_url ?? null).toBeNull();
  });
});
