import type { Ref } from '@mikro-orm/postgresql';
import { Entity, ManyToOne, Property } from '@mikro-orm/decorators/legacy';
import { Agent } from '../agents/agent.entity.js';
import { BaseEntity } from '../common/base.entity.js';

@Entity({ tableName: 'agent_tools' })
export class AgentTool extends BaseEntity {
  @ManyToOne({ entity: () => Agent, ref: true, deleteRule: 'cascade', index: true })
  agent!: Ref<Agent>;

  @Property({ type: 'string', length: 50 })
  toolType!: string;

  @Property({ type: 'json' })
  toolConfig!: Record<string, unknown>;
}
