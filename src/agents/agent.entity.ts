import type { Opt, Ref } from '@mikro-orm/postgresql';
import { Entity, ManyToOne, Property } from '@mikro-orm/decorators/legacy';
import { BaseEntity } from '../common/base.entity.js';
import { User } from '../users/user.entity.js';

@Entity({ tableName: 'agents' })
export class Agent extends BaseEntity {
  @ManyToOne({ entity: () => User, ref: true, deleteRule: 'cascade', index: true })
  user!: Ref<User>;

  @Property({ type: 'string', length: 100 })
  name!: string;

  @Property({ type: 'text', nullable: true })
  description?: string | null;

  @Property({ type: 'string', length: 100, unique: true })
  retellAgentId!: string;

  @Property({ type: 'string', length: 50 })
  voiceId!: string;

  @Property({ type: 'boolean', default: true })
  isActive: boolean & Opt = true;
}
