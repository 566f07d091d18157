import type { Opt, Ref } from '@mikro-orm/postgresql';
import { Entity, OneToOne, Property } from '@mikro-orm/decorators/legacy';
import { Agent } from '../agents/agent.entity.js';
import { BaseEntity } from '../common/base.entity.js';

@Entity({ tableName: 'llm_configurations' })
export class LlmConfiguration extends BaseEntity {
  /** One configuration per agent (UNIQUE(agent_id), a documented deviation from the seed). */
  @OneToOne({ entity: () => Agent, ref: true, owner: true, deleteRule: 'cascade', unique: true })
  agent!: Ref<Agent>;

  @Property({ type: 'string', length: 100, unique: true })
  retellLlmId!: string;

  @Property({ type: 'string', length: 50 })
  model!: string;

  @Property({ type: 'string', length: 50, nullable: true })
  s2sModel?: string | null;

  @Property({ type: 'double', default: 0 })
  temperature: number & Opt = 0;

  @Property({ type: 'boolean', default: false })
  highPriority: boolean & Opt = false;

  @Property({ type: 'text', nullable: true })
  generalPrompt?: string | null;
}
