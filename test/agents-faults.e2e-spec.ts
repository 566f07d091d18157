import type { Response } from 'supertest';
import type { FaultSpec } from '@retell-agents/retell-emulator';
import { bootTestApp, type TestApp } from './support/app.js';
import { agentBody, createAgent, customTool, expectRetellMatchesDatabase, OTHER_VOICE, type AgentBody } from './support/agents.js';
import { createUser, type TestUser } from './support/factories.js';

type Fault = Omit<FaultSpec, 'path'>;

/**
 * How each kind of Retell failure reaches our client: a 5xx envelope with a retry hint, never a bare 500.
 * A timeout is a 504 in the app; under jest's VM modules the SDK cannot recognise its own timeout (the fetch
 * AbortError comes from another realm) and reports a connection error, so 503 is accepted there too.
 */
const FAULTS: Array<[name: string, fault: Fault, status: number[], retryAfter: number]> = [
  ['a 500', { kind: 'status', status: 500 }, [502], 5],
  ['a 429 with retry-after', { kind: 'status', status: 429, retryAfterSeconds: 7 }, [503], 7],
  ['a timeout', { kind: 'timeout' }, [504, 503], 5],
  ['a connection reset', { kind: 'reset' }, [503], 5],
];

/**
 * Consistency under faults: Retell (the emulator) fails at each step of create, update, tool change, publish and
 * delete. The client gets a clean, retryable 5xx quickly (RETELL_TIMEOUT_MS=500, no SDK retries), and afterwards
 * the database and Retell agree: no Retell object without its row, no row without its Retell object.
 */
describe('Agents under Retell faults (e2e)', () => {
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    t = await bootTestApp({ RETELL_TIMEOUT_MS: '500', RETELL_MAX_RETRIES: '0' });
    user = await createUser(t.http);
  });
  afterEach(() => {
    t.emulator.clearFaults();
  });
  afterAll(async () => {
    await t.close();
  });

  const as = <T extends { set(name: string, value: string): T }>(request: T): T => request.set('authorization', user.bearer);

  async function timed(send: () => Promise<Response>): Promise<Response> {
    const started = Date.now();
    const response = await send();
    // Generous for a loaded machine; the point is that nothing waits on Retell without bound.
    expect(Date.now() - started).toBeLessThan(20_000);
    return response;
  }

  function expectRetryableFailure(response: Response, statuses: number[], retryAfter: number): void {
    expect(statuses).toContain(response.status);
    expect(response.body).toEqual({
      statusCode: response.status,
      error: expect.any(String),
      message: expect.stringContaining('Retell'),
      retryAfterSeconds: retryAfter,
      requestId: expect.any(String),
    });
    expect(response.headers['retry-after']).toBe(String(retryAfter));
  }

  const rows = (table: string, agentId: number) => t.db.query(`select * from ${table} where ${table === 'agents' ? 'id' : 'agent_id'} = $1 order by id`, [agentId]);

  describe.each(FAULTS)('Retell answers %s', (_name, fault, status, retryAfter) => {
    it.each(['/create-retell-llm', '/create-agent'])('at %s: nothing is created anywhere', async (path) => {
      const agentsBefore = (await t.db.query('select id from agents')).length;
      t.emulator.injectFault({ ...fault, path });
      const response = await timed(() => as(t.http.post('/agents')).send(agentBody()));
      expectRetryableFailure(response, status, retryAfter);
      expect((await t.db.query('select id from agents')).length).toBe(agentsBefore);
      await expectRetellMatchesDatabase(t);
    });

    it('at /update-agent: the agent keeps its name and voice on both sides', async () => {
      const agent = await createAgent(t.http, user);
      t.emulator.injectFault({ ...fault, path: '/update-agent' });
      const response = await timed(() => as(t.http.patch(`/agents/${agent.id}`)).send({ name: 'Renamed', voiceId: OTHER_VOICE, description: 'changed' }));
      expectRetryableFailure(response, status, retryAfter);
      expect((await as(t.http.get(`/agents/${agent.id}`)).expect(200)).body).toEqual(agent);
      await expectRetellMatchesDatabase(t);
    });

    it('at /update-retell-llm (LLM configuration): nothing changes', async () => {
      const agent = await createAgent(t.http, user);
      t.emulator.injectFault({ ...fault, path: '/update-retell-llm' });
      const response = await timed(() => as(t.http.patch(`/agents/${agent.id}/llm-configuration`)).send({ generalPrompt: 'New prompt', temperature: 1 }));
      expectRetryableFailure(response, status, retryAfter);
      expect((await as(t.http.get(`/agents/${agent.id}`)).expect(200)).body).toEqual(agent);
      await expectRetellMatchesDatabase(t);
    });

    it.each<[string, (agent: AgentBody) => [method: 'post' | 'patch' | 'delete', url: string, body?: object]]>([
      ['adding a tool', (agent) => ['post', `/agents/${agent.id}/tools`, customTool('added')]],
      ['changing a tool', (agent) => ['patch', `/agents/${agent.id}/tools/${agent.tools[0]!.id}`, { toolConfig: { name: 'changed' } }]],
      ['deleting a tool', (agent) => ['delete', `/agents/${agent.id}/tools/${agent.tools[0]!.id}`]],
    ])('at /update-retell-llm (%s): the tool list stays the same on both sides', async (_change, request) => {
      const agent = await createAgent(t.http, user);
      const before = await rows('agent_tools', agent.id);
      t.emulator.injectFault({ ...fault, path: '/update-retell-llm' });
      const [method, url, body] = request(agent);
      const response = await timed(() => as(t.http[method](url)).send(body));
      expectRetryableFailure(response, status, retryAfter);
      expect(await rows('agent_tools', agent.id)).toEqual(before);
      await expectRetellMatchesDatabase(t);
    });

    it.each(['/get-agent', '/publish-agent-version'])('at %s (publish): the agent stays unpublished', async (path) => {
      const agent = await createAgent(t.http, user);
      t.emulator.injectFault({ ...fault, path });
      const response = await timed(() => as(t.http.post(`/agents/${agent.id}/publish`)));
      expectRetryableFailure(response, status, retryAfter);
      expect((await as(t.http.get(`/agents/${agent.id}`)).expect(200)).body).toMatchObject({ isPublished: false, publishedVersion: null });
      const remote = t.emulator.state.agents.get(agent.retellAgentId)!;
      expect(remote.versions.every((version) => !version.is_published)).toBe(true);
      // Publishing again once Retell is back works.
      t.emulator.clearFaults();
      await as(t.http.post(`/agents/${agent.id}/publish`)).expect(200);
    });

    it('at /delete-agent: the agent stays, whole, on both sides', async () => {
      const agent = await createAgent(t.http, user);
      t.emulator.injectFault({ ...fault, path: '/delete-agent' });
      const response = await timed(() => as(t.http.delete(`/agents/${agent.id}`)));
      expectRetryableFailure(response, status, retryAfter);
      expect((await as(t.http.get(`/agents/${agent.id}`)).expect(200)).body).toEqual(agent);
      await expectRetellMatchesDatabase(t);
    });

    it('at /delete-retell-llm, once: the LLM delete is retried and the delete completes', async () => {
      const agent = await createAgent(t.http, user);
      t.emulator.injectFault({ ...fault, path: '/delete-retell-llm' });
      await timed(() => as(t.http.delete(`/agents/${agent.id}`)).expect(204));
      expect(await rows('agents', agent.id)).toEqual([]);
      await expectRetellMatchesDatabase(t);
    });
  });

  it('a delete that keeps failing after the agent is gone at Retell answers 5xx, and sending it again finishes it', async () => {
    const agent = await createAgent(t.http, user);
    t.emulator.injectFault({ path: '/delete-retell-llm', kind: 'status', status: 500, times: 3 });
    const response = await timed(() => as(t.http.delete(`/agents/${agent.id}`)));
    expectRetryableFailure(response, [502], 5);
    // Half-done: Retell's agent is gone, its LLM and our rows remain, so the client can retry.
    expect(t.emulator.state.agents.has(agent.retellAgentId)).toBe(false);
    expect(await rows('agents', agent.id)).toHaveLength(1);

    await as(t.http.delete(`/agents/${agent.id}`)).expect(204);
    expect(await rows('agents', agent.id)).toEqual([]);
    await expectRetellMatchesDatabase(t);
  });

  describe('when the database fails after Retell accepted', () => {
    beforeAll(async () => {
      // Refuses rows carrying a marker, like a database failing at the worst moment (after Retell said yes).
      const markers: Array<[table: string, condition: string]> = [
        ['agents', "new.name like 'db-fail%'"],
        ['agent_tools', "new.name like 'db_fail%'"],
        ['llm_configurations', "new.general_prompt = 'db-fail'"],
      ];
      for (const [table, condition] of markers) {
        await t.db.query(`
          create function ${table}_fail_marked() returns trigger language plpgsql as $$
          begin
            if ${condition} then raise exception 'injected database failure'; end if;
            return new;
          end $$`);
        await t.db.query(`create trigger ${table}_fail_marked before insert or update on ${table} for each row execute function ${table}_fail_marked()`);
      }
    });
    afterAll(async () => {
      for (const table of ['agents', 'agent_tools', 'llm_configurations']) {
        await t.db.query(`drop trigger ${table}_fail_marked on ${table}`);
        await t.db.query(`drop function ${table}_fail_marked()`);
      }
    });

    function expectInternalError(response: Response): void {
      expect(response.status).toBe(500);
      expect(response.body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'Internal server error', requestId: expect.any(String) });
    }

    it('create: deletes the Retell agent and LLM it had made', async () => {
      const llmsBefore = t.emulator.state.llms.size;
      expectInternalError(await as(t.http.post('/agents')).send(agentBody({ name: 'db-fail create' })));
      expect(t.emulator.state.llms.size).toBe(llmsBefore);
      await expectRetellMatchesDatabase(t);
    });

    it('update: puts the previous name back at Retell', async () => {
      const agent = await createAgent(t.http, user);
      expectInternalError(await as(t.http.patch(`/agents/${agent.id}`)).send({ name: 'db-fail rename' }));
      await expectRetellMatchesDatabase(t);
      const remote = t.emulator.state.agents.get(agent.retellAgentId)!;
      expect(remote.versions.at(-1)!.config.agent_name).toBe(agent.name);
    });

    it('LLM configuration: puts the previous prompt back at Retell', async () => {
      const agent = await createAgent(t.http, user);
      expectInternalError(await as(t.http.patch(`/agents/${agent.id}/llm-configuration`)).send({ generalPrompt: 'db-fail' }));
      await expectRetellMatchesDatabase(t);
    });

    it('tool change: sends the previous tool list back to Retell', async () => {
      const agent = await createAgent(t.http, user);
      expectInternalError(await as(t.http.post(`/agents/${agent.id}/tools`)).send(customTool('db_fail_tool')));
      await expectRetellMatchesDatabase(t);
    });
  });
});
