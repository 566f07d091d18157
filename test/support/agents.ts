import type request from 'supertest';
import type { TestApp } from './app.js';
import { uniqueName, type TestUser } from './factories.js';

type TestAgent = ReturnType<typeof request>;

/** A voice the emulator's catalogue has. */
export const VOICE = '11labs-Adrian';
export const OTHER_VOICE = 'openai-Nova';

/** Who is calling: a user's bearer token or an API key. */
export type Caller = TestUser | { apiKey: string };

export function authHeader(caller: Caller): [string, string] {
  return 'apiKey' in caller ? ['x-api-key', caller.apiKey] : ['authorization', caller.bearer];
}

export function customTool(name = uniqueName('tool').replace(/[^a-zA-Z0-9_-]/g, '_')): { toolType: 'custom'; toolConfig: Record<string, unknown> } {
  return {
    toolType: 'custom',
    toolConfig: { name, description: 'Looks up an order', url: 'https://api.example.com/orders/lookup', method: 'POST' },
  };
}

export function agentBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: uniqueName('agent'),
    description: 'Answers the front desk',
    voiceId: VOICE,
    llmConfiguration: { model: 'gpt-4.1', temperature: 0.2, generalPrompt: 'You are a helpful receptionist.', beginMessage: 'Hello!' },
    tools: [{ toolType: 'end_call', toolConfig: { name: 'end_call', description: 'Hang up politely' } }],
    ...overrides,
  };
}

/** Creates an agent through the API (201 expected) and returns the response body. */
export async function createAgent(http: TestAgent, caller: Caller, overrides: Record<string, unknown> = {}): Promise<AgentBody> {
  const response = await http.post('/agents').set(...authHeader(caller)).send(agentBody(overrides));
  if (response.status !== 201) throw new Error(`createAgent: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as AgentBody;
}

export interface AgentBody {
  id: number;
  name: string;
  retellAgentId: string;
  version: number;
  isPublished: boolean;
  publishedVersion: number | null;
  llmConfiguration: Record<string, unknown>;
  tools: Array<{ id: number; toolType: string; name: string; toolConfig: Record<string, unknown> }>;
  [key: string]: unknown;
}

type Json = Record<string, unknown>;
const latest = (record: { versions: Array<{ config: Json }> }): Json => record.versions[record.versions.length - 1]!.config;

/**
 * The database and the emulator describe the same agents: every agent row has its Retell agent running on its
 * Retell LLM, with the same name, voice, model settings and tool list; and Retell holds nothing we have no row for.
 */
export async function expectRetellMatchesDatabase(t: TestApp): Promise<void> {
  const agents = await t.db.query<{ id: number; name: string; voice_id: string; retell_agent_id: string; retell_llm_id: string }>(
    `select a.id, a.name, a.voice_id, a.retell_agent_id, l.retell_llm_id
       from agents a left join llm_configurations l on l.agent_id = a.id`,
  );
  const llms = await t.db.query<{ retell_llm_id: string; model: string | null; s2s_model: string | null; temperature: number; general_prompt: string | null; begin_message: string | null }>(
    'select retell_llm_id, model, s2s_model, temperature, general_prompt, begin_message from llm_configurations',
  );
  const tools = await t.db.query<{ agent_id: number; tool_type: string; name: string; tool_config: Json }>(
    'select agent_id, tool_type, name, tool_config from agent_tools order by id',
  );
  const state = t.emulator.state;
  expect([...state.agents.keys()].sort()).toEqual(agents.map((a) => a.retell_agent_id).sort());
  expect([...state.llms.keys()].sort()).toEqual(agents.map((a) => a.retell_llm_id).sort());
  for (const agent of agents) {
    const remote = latest(state.agents.get(agent.retell_agent_id)!);
    expect(remote).toMatchObject({ agent_name: agent.name, voice_id: agent.voice_id, response_engine: { type: 'retell-llm', llm_id: agent.retell_llm_id } });
    const row = llms.find((l) => l.retell_llm_id === agent.retell_llm_id)!;
    const llm = latest(state.llms.get(agent.retell_llm_id)!);
    expect({ model: llm.model ?? null, s2s_model: llm.s2s_model ?? null, temperature: llm.model_temperature, prompt: llm.general_prompt ?? null, begin: llm.begin_message ?? null }).toEqual({
      model: row.model,
      s2s_model: row.s2s_model,
      temperature: row.temperature,
      prompt: row.general_prompt,
      begin: row.begin_message,
    });
    const expectedTools = tools.filter((tool) => tool.agent_id === agent.id).map((tool) => ({ ...tool.tool_config, type: tool.tool_type }));
    expect(llm.general_tools ?? []).toEqual(expectedTools);
  }
}

/**
 * A phone_numbers row for a number bought at Retell, written directly (this suite tests the agent side). Columns the
 * phone-numbers module may add as NOT NULL get a plausible value, so the helper keeps working as that table grows.
 */
export async function insertPhoneNumberRow(t: TestApp, agentId: number, phoneNumber: string): Promise<void> {
  const values: Record<string, unknown> = { agent_id: agentId, phone_number: phoneNumber };
  const required = await t.db.query<{ column_name: string }>(
    `select column_name from information_schema.columns
      where table_schema = 'public' and table_name = 'phone_numbers' and is_nullable = 'NO' and column_default is null`,
  );
  const [owner] = await t.db.query<{ user_id: number }>('select user_id from agents where id = $1', [agentId]);
  const fillers: Record<string, unknown> = { number_type: 'retell-twilio', user_id: owner!.user_id };
  for (const { column_name } of required) if (!(column_name in values) && column_name in fillers) values[column_name] = fillers[column_name];
  const columns = Object.keys(values);
  await t.db.query(`insert into phone_numbers (${columns.join(', ')}) values (${columns.map((_, i) => `$${i + 1}`).join(', ')})`, Object.values(values));
}
