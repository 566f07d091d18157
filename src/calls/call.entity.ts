import type { Ref } from '@mikro-orm/postgresql';
import { Entity, ManyToOne, Property } from '@mikro-orm/decorators/legacy';
import { Agent } from '../agents/agent.entity.js';
import { BaseEntity } from '../common/base.entity.js';

@Entity({ tableName: 'calls' })
export class Call extends BaseEntity {
  @ManyToOne({ entity: () => Agent, ref: true, deleteRule: 'cascade', index: true })
  agent!: Ref<Agent>;

  @Property({ type: 'string', length: 100, unique: true })
  retellCallId!: string;

  @Property({ type: 'string', length: 20 })
  fromNumber!: string;

  @Property({ type: 'string', length: 20 })
  toNumber!: string;

  @Property({ type: 'string', length: 20 })
  direction!: string;

  @Property({ type: 'string', length: 20 })
  status!: string;

  @Property({ type: 'integer', nullable: true })
  duration?: number | null;

  @Property({ type: 'datetime', columnType: 'timestamp', nullable: true })
  startedAt?: Date | null;

  @Property({ type: 'datetime', columnType: 'timestamp', nullable: true })
  endedAt?: Date | null;
}
