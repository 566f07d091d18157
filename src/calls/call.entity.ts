import type { Opt, Ref } from '@mikro-orm/postgresql';
import { Entity, Index, ManyToOne, Property } from '@mikro-orm/decorators/legacy';
import { Agent } from '../agents/agent.entity.js';
import { BaseEntity } from '../common/base.entity.js';
import { Contact } from '../contacts/contact.entity.js';
import { User } from '../users/user.entity.js';
import { CallRepository } from './call.repository.js';

export type CallDirection = 'inbound' | 'outbound';
export type CallType = 'phone_call' | 'web_call';
/** Retell's call_status values; stored as text so a new value from Retell is kept, not rejected. */
export type CallStatus = 'registered' | 'ongoing' | 'ended' | 'not_connected' | 'error';

@Entity({ tableName: 'calls', repository: () => CallRepository })
@Index({ name: 'calls_user_id_created_at_id_index', properties: ['user', 'createdAt', 'id'] })
export class Call extends BaseEntity {
  @ManyToOne({ entity: () => Agent, ref: true, deleteRule: 'cascade', index: true })
  agent!: Ref<Agent>;

  /** The agent's owner, copied here so history pages are one index range per tenant (see docs/schema.md). */
  @ManyToOne({ entity: () => User, ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Property({ type: 'string', length: 100, unique: true })
  retellCallId!: string;

  @Property({ type: 'string', length: 20, default: 'phone_call' })
  callType: CallType & Opt = 'phone_call';

  /** NULL for web calls, which have no phone numbers. */
  @Property({ type: 'string', length: 20, nullable: true })
  fromNumber?: string | null;

  @Property({ type: 'string', length: 20, nullable: true })
  toNumber?: string | null;

  @Property({ type: 'string', length: 20 })
  direction!: CallDirection;

  @Property({ type: 'string', length: 20 })
  status!: string;

  /** Whole seconds, rounded (Retell reports milliseconds). */
  @Property({ type: 'integer', nullable: true })
  duration?: number | null;

  @Property({ type: 'datetime', columnType: 'timestamp', nullable: true })
  startedAt?: Date | null;

  @Property({ type: 'datetime', columnType: 'timestamp', nullable: true })
  endedAt?: Date | null;

  @Property({ type: 'string', length: 64, nullable: true })
  disconnectionReason?: string | null;

  @Property({ type: 'text', nullable: true, lazy: true })
  transcript?: string | null;

  @Property({ type: 'json', nullable: true, lazy: true })
  transcriptObject?: unknown[] | null;

  @Property({ type: 'text', nullable: true })
  recordingUrl?: string | null;

  @Property({ type: 'text', nullable: true })
  publicLogUrl?: string | null;

  @Property({ type: 'json', nullable: true })
  callAnalysis?: Record<string, unknown> | null;

  @Property({ type: 'json', nullable: true })
  callCost?: Record<string, unknown> | null;

  /** The caller's own metadata, as given at creation. */
  @Property({ type: 'json', nullable: true })
  metadata?: Record<string, unknown> | null;

  @Property({ type: 'json', nullable: true })
  dynamicVariables?: Record<string, string> | null;

  /** The tenant's contact with the other party's number, found when the call is recorded (see CallRepository). */
  @ManyToOne({ entity: () => Contact, ref: true, nullable: true, deleteRule: 'set null', index: true })
  contact?: Ref<Contact> | null;
}
