import type { Opt, Ref } from '@mikro-orm/postgresql';
import { Entity, ManyToOne, OneToOne, Property } from '@mikro-orm/decorators/legacy';
import { Agent } from '../agents/agent.entity.js';
import { BaseEntity } from '../common/base.entity.js';
import { PhoneNumber } from '../phone-numbers/phone-number.entity.js';
import { User } from '../users/user.entity.js';
import { InboundRoutingRepository } from './inbound-routing.repository.js';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** One range of office hours: on these days, from `start` (included) to `end` (excluded), `HH:mm` local time. */
export interface OfficeHours {
  days: Weekday[];
  start: string;
  end: string;
}

export type AfterHoursAction = 'agent' | 'reject';

/**
 * How a number's inbound calls are answered (not in the seed; see docs/schema.md): while a row exists, Retell asks
 * this server (`call_inbound`) which agent takes each call. One per number; `user_id` is the owner, for scoping.
 */
@Entity({ tableName: 'inbound_routings', repository: () => InboundRoutingRepository })
export class InboundRouting extends BaseEntity {
  @OneToOne({ entity: () => PhoneNumber, ref: true, owner: true, deleteRule: 'cascade', unique: 'inbound_routings_phone_number_id_unique' })
  phoneNumber!: Ref<PhoneNumber>;

  @ManyToOne({ entity: () => User, ref: true, deleteRule: 'cascade', index: true })
  user!: Ref<User>;

  /** IANA name: office hours are read in this zone. */
  @Property({ type: 'string', length: 64 })
  timezone!: string;

  @Property({ type: 'json' })
  hours!: OfficeHours[];

  @Property({ type: 'string', length: 10 })
  afterHoursAction!: AfterHoursAction;

  /** The agent for calls outside office hours (`afterHoursAction = 'agent'`); a deleted agent leaves the number's own. */
  @ManyToOne({ entity: () => Agent, ref: true, nullable: true, deleteRule: 'set null', index: true })
  afterHoursAgent?: Ref<Agent> | null;

  @Property({ type: 'boolean', default: true })
  lookupContacts: boolean & Opt = true;

  /** The tenant's own system, asked first. */
  @Property({ type: 'string', length: 2048, nullable: true })
  webhookUrl?: string | null;

  @Property({ type: 'integer', default: 1500 })
  webhookTimeoutMs: number & Opt = 1500;

  /** The Standard Webhooks secret for `webhookUrl`, sealed like partner endpoints' secrets (never returned again). */
  @Property({ type: 'text', nullable: true, lazy: true })
  webhookSecret?: string | null;
}
