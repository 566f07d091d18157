import type { Opt, Ref } from '@mikro-orm/postgresql';
import { Entity, ManyToOne, Property } from '@mikro-orm/decorators/legacy';
import { Agent } from '../agents/agent.entity.js';
import { BaseEntity } from '../common/base.entity.js';

@Entity({ tableName: 'phone_numbers' })
export class PhoneNumber extends BaseEntity {
  @ManyToOne({ entity: () => Agent, ref: true, deleteRule: 'cascade', index: true })
  agent!: Ref<Agent>;

  @Property({ type: 'string', length: 20, unique: true })
  phoneNumber!: string;

  @Property({ type: 'boolean', default: true })
  isActive: boolean & Opt = true;
}
