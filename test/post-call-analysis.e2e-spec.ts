import { bootTestApp, type TestApp } from './support/app.js';
import Retell from 'retell-sdk';
import { EMULATOR_API_KEY } from '../src/retell/retell-client.provider.js';
import { agentBody, authHeader, createAgent } from './support/agents.js';
import { createApiKey, createUser, type TestUser } from './support/factories.js';

describe('Post-call analysis on agents (e2e)', () => {
  let t: TestApp;
  let alice: TestUser;

  beforeAll(async () => {
    t = await bootTestApp();
    alice = await createUser(t.http);
  });
  afterAll(async () => {
    await t.close();
  });

  const analysis = {
    fields: [
      { type: 'enum', name: 'visit_reason', description: 'Why the caller wants to visit', choices: ['dinner', 'lunch'] },
      { type: 'number', name: 'party_size', description: 'How many guests' },
      { type: 'boolean', name: 'wants_newsletter', description: 'Whether they want the newsletter' },
      { type: 'string', name: 'allergies', description: 'Allergies mentioned' },
    ],
    model: 'gpt-4.1-mini',
  };
  /** The agent's latest version at the emulator, i.e. what Retell was sent. */
  const remote = (retellAgentId: string) => {
    const versions = t.emulator.state.agents.get(retellAgentId)!.versions;
    return versions[versions.length - 1]!.config as Record<string, unknown>;
  };

  it('is sent to Retell on create, stored, and shown by GET /agents/:id', async () => {
    const key = { apiKey: (await createApiKey(t.http, alice)).key };
    const agent = await createAgent(t.http, key, { postCallAnalysis: analysis });
    expect(agent.postCallAnalysis).toEqual(analysis);
    expect(remote(agent.retellAgentId)).toMatchObject({
      post_call_analysis_data: [
        { type: 'enum', name: 'visit_reason', description: 'Why the caller wants to visit', choices: ['dinner', 'lunch'] },
        { type: 'number', name: 'party_size', description: 'How many guests' },
        { type: 'boolean', name: 'wants_newsletter', description: 'Whether they want the newsletter' },
        { type: 'string', name: 'allergies', description: 'Allergies mentioned' },
      ],
      post_call_analysis_model: 'gpt-4.1-mini',
    });
    expect((await t.http.get(`/agents/${agent.id}`).set(...authHeader(alice)).expect(200)).body.postCallAnalysis).toEqual(analysis);
    const plain = await createAgent(t.http, alice);
    expect(plain.postCallAnalysis).toBeNull();
    expect(remote(plain.retellAgentId).post_call_analysis_data).toBeUndefined();
  });

  it('is replaced and removed by PATCH, at Retell too, opening a draft', async () => {
    const agent = await createAgent(t.http, alice);
    await t.http.post(`/agents/${agent.id}/publish`).set(...authHeader(alice)).send({}).expect(200);
    const replaced = { fields: [{ type: 'string', name: 'summary_line', description: 'One line' }] };
    const patched = await t.http.patch(`/agents/${agent.id}`).set(...authHeader(alice)).send({ postCallAnalysis: replaced }).expect(200);
    expect(patched.body).toMatchObject({ postCallAnalysis: replaced, isPublished: false });
    expect(remote(agent.retellAgentId).post_call_analysis_data).toEqual([{ type: 'string', name: 'summary_line', description: 'One line' }]);
    const removed = await t.http.patch(`/agents/${agent.id}`).set(...authHeader(alice)).send({ postCallAnalysis: null }).expect(200);
    expect(removed.body.postCallAnalysis).toBeNull();
    expect(remote(agent.retellAgentId).post_call_analysis_data ?? null).toBeNull();
    expect(await t.db.query('select post_call_analysis from agents where id = $1', [agent.id])).toEqual([{ post_call_analysis: null }]);
  });

  it('refuses bad fields with a 400 per field, before anything reaches Retell', async () => {
    const before = t.emulator.state.agents.size;
    const response = await t.http.post('/agents').set(...authHeader(alice)).send({
      ...agentBody(),
      postCallAnalysis: {
        fields: [
          { type: 'enum', name: 'reason', description: 'Why' },
          { type: 'string', name: 'reason', description: 'Again' },
          { type: 'date', name: 'when', description: 'When' },
          { type: 'number', name: 'bad name!', description: '' },
          { type: 'boolean', name: 'flag', description: 'A flag', choices: ['yes'] },
          { type: 'enum', name: 'dup', description: 'Repeats', choices: ['a', 'a'] },
        ],
        model: 'gpt-2',
        extra: true,
      },
    }).expect(400);
    const fields = (response.body.details as Array<{ field: string }>).map((d) => d.field).sort();
    expect(fields).toEqual([
      'postCallAnalysis.extra',
      'postCallAnalysis.fields.0.choices',
      'postCallAnalysis.fields.1.name',
      'postCallAnalysis.fields.2.type',
      'postCallAnalysis.fields.3.description',
      'postCallAnalysis.fields.3.name',
      'postCallAnalysis.fields.4.choices',
      'postCallAnalysis.fields.5.choices',
      'postCallAnalysis.model',
    ]);
    expect(t.emulator.state.agents.size).toBe(before);
    const agent = await createAgent(t.http, alice);
    await t.http.patch(`/agents/${agent.id}`).set(...authHeader(alice)).send({ postCallAnalysis: { fields: 'none' } }).expect(400);
    await t.http.patch(`/agents/${agent.id}`).set(...authHeader(alice)).send({ postCallAnalysis: 'all' }).expect(400);
    expect(remote(agent.retellAgentId).post_call_analysis_data).toBeUndefined();
  });

  it("shows a call's analysis typed: documented keys with their types, custom values that are strings, numbers or booleans", async () => {
    const agent = await createAgent(t.http, alice, { postCallAnalysis: analysis });
    const call = { call_id: 'pca-call', agent_id: agent.retellAgentId, call_type: 'phone_call', direction: 'inbound', from_number: '+14155550100', to_number: '+14155550200', call_status: 'ended' };
    const payload = JSON.stringify({
      event: 'call_analyzed',
      call: {
        ...call,
        call_analysis: {
          call_summary: 'Booked dinner for two.',
          user_sentiment: 'Positive',
          call_successful: true,
          in_voicemail: false,
          custom_analysis_data: { visit_reason: 'dinner', party_size: 2, wants_newsletter: false, allergies: null, nested: { no: 1 } },
          something_new: 'from a later Retell',
        },
      },
    });
    await t.http.post('/webhooks/retell').set('content-type', 'application/json').set('x-retell-signature', await Retell.sign(payload, EMULATOR_API_KEY)).send(payload).expect(204);
    const [row] = await t.db.query<{ id: number }>("select id from calls where retell_call_id = 'pca-call'");
    const shown = await t.http.get(`/calls/${row!.id}`).set(...authHeader(alice)).expect(200);
    expect(shown.body.analysis).toEqual({
      call_summary: 'Booked dinner for two.',
      user_sentiment: 'Positive',
      call_successful: true,
      in_voicemail: false,
      custom_analysis_data: { visit_reason: 'dinner', party_size: 2, wants_newsletter: false },
    });
  });

  it('fills custom_analysis_data from the emulator for a played call: one value of each field\'s type', async () => {
    const agent = await createAgent(t.http, alice, { postCallAnalysis: analysis });
    const number = (await t.http.post(`/agents/${agent.id}/phone-numbers`).set(...authHeader(alice)).send({}).expect(201)).body.phoneNumber;
    const ringing = t.emulator.ringInbound({ from_number: '+14155550111', to_number: number });
    await t.emulator.waitForIdle();
    const [row] = await t.db.query<{ id: number }>('select id from calls where retell_call_id = $1', [ringing.call_id]);
    const data = (await t.http.get(`/calls/${row!.id}`).set(...authHeader(alice)).expect(200)).body.analysis.custom_analysis_data;
    expect(Object.keys(data).sort()).toEqual(['allergies', 'party_size', 'visit_reason', 'wants_newsletter']);
    expect(['dinner', 'lunch']).toContain(data.visit_reason);
    expect(typeof data.party_size).toBe('number');
    expect(typeof data.wants_newsletter).toBe('boolean');
    expect(typeof data.allergies).toBe('string');
  });
});
