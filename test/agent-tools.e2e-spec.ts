import { bootTestApp, type TestApp } from './support/app.js';
import { createAgent, customTool, expectRetellMatchesDatabase, type AgentBody } from './support/agents.js';
import { createApiKey, createUser, type TestUser } from './support/factories.js';

type Json = Record<string, unknown>;

/** One valid configuration of each of Retell's 13 general tool types. */
const VALID_TOOLS: Array<[string, Json]> = [
  ['end_call', { name: 'end_call', description: 'End the call when the caller says goodbye', speak_during_execution: true, execution_message_type: 'static_text', execution_message_description: 'Goodbye!' }],
  ['transfer_call', { name: 'to_human', transfer_destination: { type: 'predefined', number: '+14155550123', extension: '12#' }, transfer_option: { type: 'cold_transfer', cold_transfer_mode: 'sip_refer' } }],
  ['transfer_call', { name: 'to_manager', transfer_destination: { type: 'inferred', prompt: 'The manager on duty' }, transfer_option: { type: 'warm_transfer', on_hold_music: 'ringtone', public_handoff_option: { type: 'static_message', message: 'Transferring' } } }],
  ['check_availability_cal', { name: 'availability', cal_api_key: 'cal_live_abc', event_type_id: 60444, timezone: 'America/Los_Angeles' }],
  ['book_appointment_cal', { name: 'book', cal_api_key: 'cal_live_abc', event_type_id: '{{event_type}}', timezone: '{{tz}}' }],
  ['press_digit', { name: 'press', delay_ms: 500 }],
  ['custom', { name: 'lookup', url: 'https://api.example.com/lookup', method: 'GET', headers: { Authorization: 'Bearer x' }, query_params: { v: '1' }, parameters: { type: 'object', properties: { order: { type: 'string' } }, required: ['order'] }, timeout_ms: 10_000, max_retry: 2, response_variables: { status: '$.status' } }],
  ['code', { name: 'compute', code: 'return 1 + 1;', timeout_ms: 5000 }],
  ['extract_dynamic_variable', { name: 'extract', description: 'Collect details', variables: [{ type: 'string', name: 'customer_name', description: 'Name', examples: ['Ada'] }, { type: 'enum', name: 'plan', description: 'Plan', choices: ['basic', 'pro'] }, { type: 'boolean', name: 'consent', description: 'Agreed' }, { type: 'number', name: 'age', description: 'Age', required: true }] }],
  ['send_sms', { name: 'sms', sms_content: { type: 'predefined', text: 'Your code is 1234' } }],
  ['bridge_transfer', { name: 'bridge' }],
  ['cancel_transfer', { name: 'cancel' }],
  ['mcp', { name: 'crm_lookup', description: 'Find a customer in the CRM', mcp_id: 'crm', input_schema: { email: 'string' } }],
];

/** Wrong configurations and the field each error names. */
const INVALID_TOOLS: Array<[string, string, Json, string]> = [
  ['a name over 64 characters', 'end_call', { name: 'x'.repeat(65) }, 'toolConfig.name'],
  ['a name with a dot', 'end_call', { name: 'a.b' }, 'toolConfig.name'],
  ['no name', 'press_digit', {}, 'toolConfig.name'],
  ['an unknown field', 'end_call', { name: 'x', colour: 'red' }, 'toolConfig.colour'],
  ['`type` inside the config', 'end_call', { name: 'x', type: 'custom' }, 'toolConfig.type'],
  ['a custom tool over http', 'custom', { name: 'x', url: 'http://api.example.com' }, 'toolConfig.url'],
  ['a custom tool on the metadata address', 'custom', { name: 'x', url: 'https://169.254.169.254/latest' }, 'toolConfig.url'],
  ['a custom tool on decimal loopback', 'custom', { name: 'x', url: 'https://2130706433/' }, 'toolConfig.url'],
  ['a custom tool with credentials', 'custom', { name: 'x', url: 'https://user@127.0.0.1/' }, 'toolConfig.url'],
  ['a custom tool with an unknown method', 'custom', { name: 'x', url: 'https://api.example.com', method: 'TRACE' }, 'toolConfig.method'],
  ['a timeout below the minimum', 'custom', { name: 'x', url: 'https://api.example.com', timeout_ms: 10 }, 'toolConfig.timeout_ms'],
  ['a header value that is not a string', 'custom', { name: 'x', url: 'https://api.example.com', headers: { A: 1 } }, 'toolConfig.headers.A'],
  ['a transfer without destination', 'transfer_call', { name: 'x', transfer_option: { type: 'cold_transfer' } }, 'toolConfig.transfer_destination'],
  ['a transfer to a non-E.164 number', 'transfer_call', { name: 'x', transfer_destination: { type: 'predefined', number: '555-0123' }, transfer_option: { type: 'cold_transfer' } }, 'toolConfig.transfer_destination.number'],
  ['an unknown transfer option', 'transfer_call', { name: 'x', transfer_destination: { type: 'inferred', prompt: 'p' }, transfer_option: { type: 'teleport' } }, 'toolConfig.transfer_option.type'],
  ['custom on-hold music', 'transfer_call', { name: 'x', transfer_destination: { type: 'inferred', prompt: 'p' }, transfer_option: { type: 'warm_transfer', on_hold_music: 'custom' } }, 'toolConfig.transfer_option.on_hold_music'],
  ['a Cal.com tool without key', 'check_availability_cal', { name: 'x', event_type_id: 1 }, 'toolConfig.cal_api_key'],
  ['a bad time zone', 'book_appointment_cal', { name: 'x', cal_api_key: 'k', event_type_id: 1, timezone: 'Mars/Olympus' }, 'toolConfig.timezone'],
  ['a press delay over 5 s', 'press_digit', { name: 'x', delay_ms: 6000 }, 'toolConfig.delay_ms'],
  ['an SMS without content', 'send_sms', { name: 'x' }, 'toolConfig.sms_content'],
  ['code without code', 'code', { name: 'x' }, 'toolConfig.code'],
  ['an extraction without variables', 'extract_dynamic_variable', { name: 'x', description: 'd', variables: [] }, 'toolConfig.variables'],
  ['an enum variable without choices', 'extract_dynamic_variable', { name: 'x', description: 'd', variables: [{ type: 'enum', name: 'v', description: 'd' }] }, 'toolConfig.variables.0.choices'],
  ['an MCP tool without description', 'mcp', { name: 'x' }, 'toolConfig.description'],
  ['an agent swap to an unknown agent', 'agent_swap', { name: 'x', agent_id: 'not_mine', post_call_analysis_setting: 'both_agents' }, 'toolConfig.agent_id'],
];

describe('Agent tools (e2e)', () => {
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    t = await bootTestApp();
    user = await createUser(t.http);
  });
  afterAll(async () => {
    await t.close();
  });

  const remoteTools = async (agentId: number): Promise<Json[]> => {
    const [row] = await t.db.query<{ retell_llm_id: string }>('select retell_llm_id from llm_configurations where agent_id = $1', [agentId]);
    const llm = t.emulator.state.llms.get(row!.retell_llm_id)!;
    return (llm.versions[llm.versions.length - 1]!.config.general_tools ?? []) as Json[];
  };
  const tools = (agent: AgentBody) => `/agents/${agent.id}/tools`;

  it.each(VALID_TOOLS)('accepts a valid %s tool and sends it to Retell', async (toolType, toolConfig) => {
    const agent = await createAgent(t.http, user, { tools: [] });
    const created = await t.http.post(tools(agent)).set('authorization', user.bearer).send({ toolType, toolConfig }).expect(201);
    expect(created.body).toMatchObject({ agentId: agent.id, toolType, name: toolConfig.name, toolConfig });
    expect(await remoteTools(agent.id)).toEqual([{ ...toolConfig, type: toolType }]);
  });

  it('accepts an agent swap and an agentic warm transfer to the caller’s own agent', async () => {
    const target = await createAgent(t.http, user, { tools: [] });
    const agent = await createAgent(t.http, user, { tools: [] });
    await t.http
      .post(tools(agent))
      .set('authorization', user.bearer)
      .send({ toolType: 'agent_swap', toolConfig: { name: 'swap', agent_id: target.retellAgentId, post_call_analysis_setting: 'both_agents', agent_version: 0 } })
      .expect(201);
    await t.http
      .post(tools(agent))
      .set('authorization', user.bearer)
      .send({
        toolType: 'transfer_call',
        toolConfig: {
          name: 'agentic',
          transfer_destination: { type: 'inferred', prompt: 'Sales' },
          transfer_option: { type: 'agentic_warm_transfer', agentic_transfer_config: { transfer_agent: { agent_id: target.retellAgentId, agent_version: 'latest' } } },
        },
      })
      .expect(201);
  });

  it.each(INVALID_TOOLS)('refuses %s (400 naming the field) and changes nothing', async (_case, toolType, toolConfig, field) => {
    const agent = await createAgent(t.http, user, { tools: [customTool('existing')] });
    const before = await remoteTools(agent.id);
    const response = await t.http.post(tools(agent)).set('authorization', user.bearer).send({ toolType, toolConfig }).expect(400);
    expect(response.body.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(await remoteTools(agent.id)).toEqual(before);
    expect(await t.db.query('select name from agent_tools where agent_id = $1', [agent.id])).toEqual([{ name: 'existing' }]);
  });

  it('refuses a tool type Retell does not have, and unknown body fields', async () => {
    const agent = await createAgent(t.http, user, { tools: [] });
    const wrongType = await t.http.post(tools(agent)).set('authorization', user.bearer).send({ toolType: 'webhook', toolConfig: { name: 'x' } }).expect(400);
    expect(wrongType.body.details).toEqual([{ field: 'toolType', messages: [expect.stringContaining('end_call, transfer_call')] }]);
    const extra = await t.http.post(tools(agent)).set('authorization', user.bearer).send({ ...customTool('x'), agentId: 99 }).expect(400);
    expect(extra.body.details).toEqual([{ field: 'agentId', messages: ['is not allowed'] }]);
  });

  it('lists, reads, changes and deletes tools, re-sending the whole list to Retell each time', async () => {
    const agent = await createAgent(t.http, user, { tools: [] });
    const a = (await t.http.post(tools(agent)).set('authorization', user.bearer).send(customTool('a')).expect(201)).body;
    const b = (await t.http.post(tools(agent)).set('authorization', user.bearer).send({ toolType: 'end_call', toolConfig: { name: 'b' } }).expect(201)).body;
    await t.http.post(tools(agent)).set('authorization', user.bearer).send({ toolType: 'press_digit', toolConfig: { name: 'c' } }).expect(201);
    expect((await remoteTools(agent.id)).map((tool) => tool.name)).toEqual(['a', 'b', 'c']);

    const page = await t.http.get(`${tools(agent)}?limit=2`).set('authorization', user.bearer).expect(200);
    expect(page.body.items.map((tool: { name: string }) => tool.name)).toEqual(['a', 'b']);
    const rest = await t.http.get(`${tools(agent)}?limit=2&cursor=${page.body.nextCursor}`).set('authorization', user.bearer).expect(200);
    expect(rest.body).toMatchObject({ items: [{ name: 'c' }], nextCursor: null });
    await t.http.get(`${tools(agent)}/${a.id}`).set('authorization', user.bearer).expect(200);

    const renamed = await t.http
      .patch(`${tools(agent)}/${a.id}`)
      .set('authorization', user.bearer)
      .send({ toolConfig: { name: 'a2', url: 'https://api.example.com/v2' } })
      .expect(200);
    expect(renamed.body).toMatchObject({ name: 'a2', toolConfig: { name: 'a2', url: 'https://api.example.com/v2' } });
    expect((await remoteTools(agent.id))[0]).toEqual({ type: 'custom', name: 'a2', url: 'https://api.example.com/v2' });

    const retyped = await t.http.patch(`${tools(agent)}/${b.id}`).set('authorization', user.bearer).send({ toolType: 'code', toolConfig: { name: 'b', code: 'return 1' } }).expect(200);
    expect(retyped.body).toMatchObject({ toolType: 'code', name: 'b' });
    await t.http.patch(`${tools(agent)}/${b.id}`).set('authorization', user.bearer).send({ toolType: 'end_call' }).expect(400);
    // The new configuration is checked against the tool's type.
    await t.http.patch(`${tools(agent)}/${b.id}`).set('authorization', user.bearer).send({ toolConfig: { name: 'b' } }).expect(400);

    await t.http.delete(`${tools(agent)}/${a.id}`).set('authorization', user.bearer).expect(204);
    expect((await remoteTools(agent.id)).map((tool) => tool.name)).toEqual(['b', 'c']);
    await t.http.get(`${tools(agent)}/${a.id}`).set('authorization', user.bearer).expect(404);
    await t.http.delete(`${tools(agent)}/${a.id}`).set('authorization', user.bearer).expect(404);

    const agentNow = await t.http.get(`/agents/${agent.id}`).set('authorization', user.bearer).expect(200);
    expect(agentNow.body.isPublished).toBe(false);
    await expectRetellMatchesDatabase(t);
  });

  it('keeps names unique per agent: 409 through the API, and the database refuses it too', async () => {
    const agent = await createAgent(t.http, user, { tools: [customTool('taken')] });
    const other = (await t.http.post(tools(agent)).set('authorization', user.bearer).send({ toolType: 'end_call', toolConfig: { name: 'free' } }).expect(201)).body;
    const conflict = await t.http.post(tools(agent)).set('authorization', user.bearer).send({ toolType: 'end_call', toolConfig: { name: 'taken' } }).expect(409);
    expect(conflict.body).toMatchObject({ statusCode: 409, details: [{ field: 'toolConfig.name' }] });
    await t.http.patch(`${tools(agent)}/${other.id}`).set('authorization', user.bearer).send({ toolConfig: { name: 'taken' } }).expect(409);
    expect((await remoteTools(agent.id)).map((tool) => tool.name)).toEqual(['taken', 'free']);
    await expect(
      t.db.query(`insert into agent_tools (agent_id, tool_type, name, tool_config) values ($1, 'end_call', 'taken', '{"name":"taken"}')`, [agent.id]),
    ).rejects.toThrow(/agent_tools_agent_id_name_unique/);

    // The same name on another agent is fine.
    const second = await createAgent(t.http, user, { tools: [] });
    await t.http.post(tools(second)).set('authorization', user.bearer).send({ toolType: 'end_call', toolConfig: { name: 'taken' } }).expect(201);
  });

  it('serialises concurrent changes of one agent, so Retell ends with every tool', async () => {
    const agent = await createAgent(t.http, user, { tools: [] });
    const names = Array.from({ length: 6 }, (_, i) => `parallel_${i}`);
    const responses = await Promise.all(names.map((name) => t.http.post(tools(agent)).set('authorization', user.bearer).send({ toolType: 'end_call', toolConfig: { name } })));
    expect(responses.map((r) => r.status)).toEqual(names.map(() => 201));
    expect((await remoteTools(agent.id)).map((tool) => tool.name).sort()).toEqual(names);
    await expectRetellMatchesDatabase(t);
  });

  it('works with an API key', async () => {
    const { key } = await createApiKey(t.http, user);
    const agent = await createAgent(t.http, { apiKey: key }, { tools: [] });
    const tool = await t.http.post(tools(agent)).set('x-api-key', key).send(customTool('k')).expect(201);
    await t.http.patch(`${tools(agent)}/${tool.body.id}`).set('x-api-key', key).send({ toolConfig: { name: 'k', url: 'https://k.example.com' } }).expect(200);
    await t.http.delete(`${tools(agent)}/${tool.body.id}`).set('x-api-key', key).expect(204);
  });
});
