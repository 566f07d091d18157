import { EntityRepository, type FilterQuery } from '@mikro-orm/postgresql';
import type { AgentToolRow } from '../agent-tools/agent-tool.repository.js';
import type { LlmConfigurationRow } from '../llm-configurations/llm-configuration.repository.js';
import { ApiException, ResourceNotFoundException } from '../common/errors/app-exceptions.js';
import { Keyset, type PageRequestOf } from '../common/pagination/keyset.js';
import type { Page } from '../common/pagination/page.dto.js';
import type { Agent } from './agent.entity.js';

/** Newest first, over the (user_id, created_at, id) index. */
export const AGENT_PAGES = new Keyset('desc', { createdAt: { type: 'date', column: 'created_at' }, id: { type: 'number' } });

export interface AgentListFilter {
  isActive?: boolean;
  /** Case-insensitive substring of the name, matched literally (`%` and `_` are not wildcards). */
  nameContains?: string;
}

/** `%`, `_` and the escape character itself match literally in a LIKE pattern once escaped (PostgreSQL's default escape is `\`). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** What a response shows of an agent, as plain values: an entity is one, so is a row read without hydration. */
export type AgentRow = Pick<
  Agent,
  | 'id'
  | 'name'
  | 'description'
  | 'voiceId'
  | 'isActive'
  | 'retellAgentId'
  | 'version'
  | 'publishedVersion'
  | 'isPublished'
  | 'postCallAnalysis'
  | 'language'
  | 'maxCallDurationMs'
  | 'endCallAfterSilenceMs'
  | 'voicemail'
  | 'createdAt'
  | 'updatedAt'
>;

/** GET /agents/:id: an agent with its LLM configuration and its tools (in the order they were added). */
export interface AgentDetailRow {
  agent: AgentRow;
  llmConfiguration: LlmConfigurationRow;
  tools: AgentToolRow[];
}

interface AgentDetailRecord {
  id: number;
  name: string;
  description: string | null;
  voiceId: string;
  isActive: boolean;
  retellAgentId: string;
  version: number;
  publishedVersion: number | null;
  postCallAnalysis: Agent['postCallAnalysis'];
  language: Agent['language'];
  maxCallDurationMs: number | null;
  endCallAfterSilenceMs: number | null;
  voicemail: Agent['voicemail'];
  isPublished: boolean;
  createdAtMs: number;
  updatedAtMs: number;
  model: string | null;
  s2sModel: string | null;
  temperature: number;
  highPriority: boolean;
  generalPrompt: string | null;
  beginMessage: string | null;
  mcps: LlmConfigurationRow['mcps'];
  llmCreatedAtMs: number;
  llmUpdatedAtMs: number;
  tools: Array<{ id: number; toolType: string; name: string; toolConfig: Record<string, unknown>; createdAtMs: number; updatedAtMs: number }>;
}

/**
 * Times leave the database as epoch milliseconds, truncated as the ORM's own date parsing truncates microseconds, so
 * the answer is the one the entities gave to the byte (columns hold UTC; `updated_at` from the trigger has µs).
 */
const ms = (column: string) => `floor(extract(epoch from ${column}) * 1000)`;
const AGENT_DETAIL_SQL = `
select a.id, a.name, a.description, a.voice_id as "voiceId", a.is_active as "isActive", a.retell_agent_id as "retellAgentId",
       a.version, a.published_version as "publishedVersion", a.is_published as "isPublished",
       a.post_call_analysis as "postCallAnalysis", a.language, a.max_call_duration_ms as "maxCallDurationMs",
       a.end_call_after_silence_ms as "endCallAfterSilenceMs", a.voicemail,
       ${ms('a.created_at')}::float8 as "createdAtMs", ${ms('a.updated_at')}::float8 as "updatedAtMs",
       l.model, l.s2s_model as "s2sModel", l.temperature, l.high_priority as "highPriority", l.general_prompt as "generalPrompt",
       l.begin_message as "beginMessage", l.mcps,
       ${ms('l.created_at')}::float8 as "llmCreatedAtMs", ${ms('l.updated_at')}::float8 as "llmUpdatedAtMs",
       coalesce((select json_agg(json_build_object('id', t.id, 'toolType', t.tool_type, 'name', t.name, 'toolConfig', t.tool_config,
                                                   'createdAtMs', ${ms('t.created_at')}, 'updatedAtMs', ${ms('t.updated_at')}) order by t.id)
                   from agent_tools t where t.agent_id = a.id), '[]') as tools
  from agents a join llm_configurations l on l.agent_id = a.id
 where a.id = ? and a.user_id = ?`;

export class AgentRepository extends EntityRepository<Agent> {
  /**
   * The agent, its configuration (every agent has one) and its tools in ONE statement, as plain values: the hottest
   * read of the API. Hydrating three kinds of entity per request (and two more round trips) made it the slowest
   * route under \`npm run bench\`; this is one round trip and no identity map, like the baseline's query.
   */
  async findDetailForOwner(ownerId: number, id: number): Promise<AgentDetailRow | null> {
    const [row] = await this.em.execute<AgentDetailRecord[]>(AGENT_DETAIL_SQL, [id, ownerId]);
    if (!row) return null;
    const agentRef = { id: row.id };
    return {
      agent: {
        id: row.id,
        name: row.name,
        description: row.description,
        voiceId: row.voiceId,
        isActive: row.isActive,
        retellAgentId: row.retellAgentId,
        version: row.version,
        publishedVersion: row.publishedVersion,
        isPublished: row.isPublished,
        postCallAnalysis: row.postCallAnalysis,
        language: row.language,
        maxCallDurationMs: row.maxCallDurationMs,
        endCallAfterSilenceMs: row.endCallAfterSilenceMs,
        voicemail: row.voicemail,
        createdAt: new Date(row.createdAtMs),
        updatedAt: new Date(row.updatedAtMs),
      },
      llmConfiguration: {
        agent: agentRef,
        model: row.model,
        s2sModel: row.s2sModel,
        temperature: row.temperature,
        highPriority: row.highPriority,
        generalPrompt: row.generalPrompt,
        beginMessage: row.beginMessage,
        mcps: row.mcps,
        createdAt: new Date(row.llmCreatedAtMs),
        updatedAt: new Date(row.llmUpdatedAtMs),
      },
      tools: row.tools.map((tool) => ({
        id: tool.id,
        agent: agentRef,
        toolType: tool.toolType,
        name: tool.name,
        toolConfig: tool.toolConfig,
        createdAt: new Date(tool.createdAtMs),
        updatedAt: new Date(tool.updatedAtMs),
      })),
    };
  }

  findForOwner(ownerId: number, id: number): Promise<Agent | null> {
    return this.findOne({ id, user: ownerId });
  }

  /** The agent as it is now in the database (not a copy the request already holds): for changes under an edit lease. */
  findFreshForOwner(ownerId: number, id: number): Promise<Agent | null> {
    return this.findOne({ id, user: ownerId }, { refresh: true });
  }

  /** An agent that may place calls or get numbers: another tenant's or a missing one is 404, an inactive one 409. */
  async getActiveForOwner(ownerId: number, id: number): Promise<Agent> {
    const agent = await this.findForOwner(ownerId, id);
    if (!agent) throw new ResourceNotFoundException('Agent');
    if (!agent.isActive) throw new ApiException(409, 'The agent is inactive; activate it first');
    return agent;
  }

  /** Which of these Retell agent ids belong to the owner (tools may only point at the owner's own agents). */
  async findOwnedRetellAgentIds(ownerId: number, retellAgentIds: string[]): Promise<Set<string>> {
    if (retellAgentIds.length === 0) return new Set();
    const rows = await this.find({ user: ownerId, retellAgentId: { $in: retellAgentIds } }, { fields: ['retellAgentId'] });
    return new Set(rows.map((agent) => agent.retellAgentId));
  }

  async findPageForOwner(ownerId: number, filter: AgentListFilter, page: PageRequestOf<typeof AGENT_PAGES>): Promise<Page<Agent>> {
    const where: FilterQuery<Agent> = { user: ownerId };
    if (filter.isActive !== undefined) where.isActive = filter.isActive;
    if (filter.nameContains) where.name = { $ilike: `%${escapeLike(filter.nameContains)}%` };
    const rows = await this.find({ ...where, ...AGENT_PAGES.after(page) }, { orderBy: AGENT_PAGES.orderBy, limit: AGENT_PAGES.fetchSize(page) });
    return AGENT_PAGES.page(rows, page);
  }
}
