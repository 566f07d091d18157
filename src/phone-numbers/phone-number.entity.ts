import type { Opt, Ref } from '@mikro-orm/postgresql';
import { Entity, ManyToOne, Property } from '@mikro-orm/decorators/legacy';
import { Agent } from '../agents/agent.entity.js';
import { BaseEntity } from '../common/base.entity.js';
import { PhoneNumberRepository } from './phone-number.repository.js';

export type PhoneNumberType = 'retell-twilio' | 'retell-telnyx' | 'custom';

@Entity({ tableName: 'phone_numbers', repository: () => PhoneNumberRepository })
export class PhoneNumber extends BaseEntity {
  @ManyToOne({ entity: () => Agent, ref: true, deleteRule: 'cascade', index: true })
  agent!: Ref<Agent>;

  /** E.164; also Retell's identifier for the number. */
  @Property({ type: 'string', length: 20, unique: true })
  phoneNumber!: string;

  /** Inactive numbers stay ours at Retell but are bound to no agent (calls to them are not answered). */
  @Property({ type: 'boolean', default: true })
  isActive: boolean & Opt = true;

  @Property({ type: 'string', length: 100, nullable: true })
  nickname?: string | null;

  /** `retell-twilio` / `retell-telnyx` when bought through Retell, `custom` when imported over SIP. */
  @Property({ type: 'string', length: 20 })
  numberType!: PhoneNumberType;
}
