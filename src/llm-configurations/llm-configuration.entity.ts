import type { Opt, Ref } from '@mikro-orm/postgresql';
import { Check, Entity, OneToOne, Property } from '@mikro-orm/decorators/legacy';
import { Agent } from '../agents/agent.entity.js';
import { BaseEntity } from '../common/base.entity.js';
import { LlmConfigurationRepository } from './llm-configuration.repository.js';

/** An MCP server the LLM may use (Retell's LLM-level `mcps[]`), as stored in `llm_configurations.mcps`. */
export interface McpServer {
  name: string;
  url: string;
  headers?: Record<string, string>;
  query_params?: Record<string, string>;
  timeout_ms?: number;
}

/** Retell takes a text model or a speech-to-speech model, never both: the database holds exactly one as well. */
@Entity({ tableName: 'llm_configurations', repository: () => LlmConfigurationRepository })
@Check({ name: 'llm_configurations_one_model_check', expression: '(model is null) <> (s2s_model is null)' })
export class LlmConfiguration extends BaseEntity {
  /** One configuration per agent (UNIQUE(agent_id), a documented deviation from the seed). */
  @OneToOne({ entity: () => Agent, ref: true, owner: true, deleteRule: 'cascade', unique: true })
  agent!: Ref<Agent>;

  @Property({ type: 'string', length: 100, unique: true })
  retellLlmId!: string;

  /** Null when the LLM runs on a speech-to-speech model (a documented deviation from the seed's NOT NULL). */
  @Property({ type: 'string', length: 50, nullable: true })
  model?: string | null;

  @Property({ type: 'string', length: 50, nullable: true })
  s2sModel?: string | null;

  @Property({ type: 'double', default: 0 })
  temperature: number & Opt = 0;

  @Property({ type: 'boolean', default: false })
  highPriority: boolean & Opt = false;

  @Property({ type: 'text', nullable: true })
  generalPrompt?: string | null;

  /** What the agent says first; null lets the LLM decide, "" makes it wait for the caller. */
  @Property({ type: 'text', nullable: true })
  beginMessage?: string | null;

  @Property({ type: 'json', nullable: true })
  mcps?: McpServer[] | null;
}
