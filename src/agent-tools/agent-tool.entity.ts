import type { Ref } from '@mikro-orm/postgresql';
import { Entity, ManyToOne, Property, Unique } from '@mikro-orm/decorators/legacy';
import { Agent } from '../agents/agent.entity.js';
import { BaseEntity } from '../common/base.entity.js';
import { AgentToolRepository } from './agent-tool.repository.js';

/**
 * One of Retell's general tools. `tool_config` is the tool as Retell takes it minus `type` (which is `tool_type`);
 * `name` repeats `tool_config.name` so that the database itself keeps names unique per agent, as Retell requires.
 */
@Entity({ tableName: 'agent_tools', repository: () => AgentToolRepository })
@Unique({ name: 'agent_tools_agent_id_name_unique', properties: ['agent', 'name'] })
export class AgentTool extends BaseEntity {
  @ManyToOne({ entity: () => Agent, ref: true, deleteRule: 'cascade', index: true })
  agent!: Ref<Agent>;

  @Property({ type: 'string', length: 50 })
  toolType!: string;

  @Property({ type: 'string', length: 64 })
  name!: string;

  @Property({ type: 'json' })
  toolConfig!: Record<string, unknown>;
}
