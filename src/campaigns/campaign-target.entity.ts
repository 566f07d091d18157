import type { Opt, Ref } from '@mikro-orm/postgresql';
import { Entity, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { Contact } from '../contacts/contact.entity.js';
import { User } from '../users/user.entity.js';
import { Campaign } from './campaign.entity.js';

/**
 * `pending` (waiting for its window, its retry delay or a free line), `dialling` (an attempt is written: asked of
 * Retell or about to be, or its call is under way), `done` (`outcome` says how), `skipped` (do-not-call, or the contact
 * was deleted), `cancelled` (the campaign was cancelled first).
 */
export type TargetStatus = 'pending' | 'dialling' | 'done' | 'skipped' | 'cancelled';

/** `completed`: a person was reached; `failed`: the number cannot be called (never retried). */
export type TargetOutcome = 'completed' | 'no_answer' | 'busy' | 'voicemail' | 'error' | 'failed' | 'do_not_call' | 'contact_deleted';

/** One finished attempt, kept on the target (at most 5). */
export interface TargetAttempt {
  attempt: number;
  callId: number | null;
  outcome: TargetOutcome;
  disconnectionReason: string | null;
  at: string;
}

/**
 * One contact of a campaign (not in the seed; see docs/schema.md). Kept in the campaigns folder, as webhook deliveries
 * are kept with their endpoints: a target has no life outside its campaign, its only route is
 * `GET /campaigns/:id/targets`, and only the campaign service and the dialer write it.
 *
 * Exactly one dial per attempt: `attempt_key` (the idempotency key sent to Retell) is written, with the attempt number,
 * BEFORE Retell is asked; the call is recorded in `call_id` after. An attempt with a key and no call whose lease ran
 * out (its instance died, or Retell did not answer) is reconciled by sending the same key again — Retell answers with
 * the call it made for that key and dials nothing — before the target can have a new attempt.
 */
@Entity({ tableName: 'campaign_targets' })
@Unique({ name: 'campaign_targets_campaign_id_contact_id_unique', properties: ['campaign', 'contact'] })
@Index({ name: 'campaign_targets_campaign_id_id_index', properties: ['campaign', 'id'] })
// The dialer's two scans: due targets per campaign, and attempts under way.
@Index({ name: 'campaign_targets_due_index', expression: `create index "campaign_targets_due_index" on "campaign_targets" ("campaign_id", "next_attempt_at", "id") where "status" = 'pending'` })
@Index({ name: 'campaign_targets_dialling_index', expression: `create index "campaign_targets_dialling_index" on "campaign_targets" ("lease_until", "id") where "status" = 'dialling'` })
export class CampaignTarget {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @ManyToOne({ entity: () => Campaign, ref: true, deleteRule: 'cascade' })
  campaign!: Ref<Campaign>;

  @ManyToOne({ entity: () => User, ref: true, deleteRule: 'cascade', index: true })
  user!: Ref<User>;

  /** Read at each dial (number, time zone, variables, do-not-call); null once the contact was deleted. */
  @ManyToOne({ entity: () => Contact, ref: true, deleteRule: 'set null', nullable: true, index: true })
  contact?: Ref<Contact> | null;

  /** The number when the target was made, shown after the contact is gone. */
  @Property({ type: 'string', length: 20 })
  phoneNumber!: string;

  @Property({ type: 'string', length: 20, default: 'pending' })
  status: TargetStatus & Opt = 'pending';

  @Property({ type: 'string', length: 20, nullable: true })
  outcome?: TargetOutcome | null;

  /** Attempts written so far (the one under way included). */
  @Property({ type: 'integer', default: 0 })
  attempts: number & Opt = 0;

  /** When the target may be dialled next (its window opening, or the retry delay); null: at once. */
  @Property({ type: 'datetime', columnType: 'timestamp', nullable: true })
  nextAttemptAt?: Date | null;

  /** The idempotency key of the attempt under way (sent to Retell as `idempotency_key`). */
  @Property({ type: 'string', length: 64, nullable: true })
  attemptKey?: string | null;

  /** The dial slot (src/common/limits/dial-slots.ts) the attempt under way holds. */
  @Property({ type: 'integer', nullable: true })
  slotId?: number | null;

  /** Until when the instance that wrote the attempt owns it; afterwards any instance reconciles it. */
  @Property({ type: 'datetime', columnType: 'timestamp', nullable: true })
  leaseUntil?: Date | null;

  /** Our `calls.id` of the attempt under way, once Retell answered. */
  @Property({ type: 'integer', nullable: true })
  callId?: number | null;

  @Property({ type: 'json', default: '[]' })
  history: TargetAttempt[] & Opt = [];

  @Property({ type: 'datetime', columnType: 'timestamp', defaultRaw: 'current_timestamp', onCreate: () => new Date() })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'datetime', columnType: 'timestamp', defaultRaw: 'current_timestamp', onCreate: () => new Date(), onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();
}
