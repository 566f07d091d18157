import type { Opt, Ref } from '@mikro-orm/postgresql';
import { Entity, Index, ManyToOne, Property } from '@mikro-orm/decorators/legacy';
import { Agent } from '../agents/agent.entity.js';
import { BaseEntity } from '../common/base.entity.js';
import { User } from '../users/user.entity.js';
import type { CampaignSchedule, RetryPolicy } from './campaign-policy.js';
import { CampaignRepository } from './campaign.repository.js';

export { RETRYABLE_OUTCOMES, WEEKDAYS, type CallingWindow, type CampaignSchedule, type RetryableOutcome, type RetryPolicy, type Weekday } from './campaign-policy.js';

export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/**
 * Why a campaign is paused: by its owner (`requested`), by the dialer at the tenant's monthly minutes cap
 * (`minutes_cap`), or because its agent has no active number to call from (`no_phone_number`).
 */
export const PAUSE_REASONS = ['requested', 'minutes_cap', 'no_phone_number'] as const;
export type PauseReason = (typeof PAUSE_REASONS)[number];

/**
 * An outbound calling campaign (not in the seed; see docs/schema.md). Its targets are `campaign_targets`; the dialer
 * (campaign-dialer.ts) moves both. `last_dialled_at` orders the campaigns of a round so every tenant gets its turn.
 */
@Entity({ tableName: 'campaigns', repository: () => CampaignRepository })
@Index({ name: 'campaigns_user_id_created_at_id_index', properties: ['user', 'createdAt', 'id'] })
// The dialer's scan: only the campaigns it may have work for.
@Index({ name: 'campaigns_active_index', expression: `create index "campaigns_active_index" on "campaigns" ("status") where "status" in ('scheduled', 'running')` })
export class Campaign extends BaseEntity {
  @ManyToOne({ entity: () => User, ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @ManyToOne({ entity: () => Agent, ref: true, deleteRule: 'cascade', index: true })
  agent!: Ref<Agent>;

  @Property({ type: 'string', length: 200 })
  name!: string;

  /** Null: the agent's default number at each dial. */
  @Property({ type: 'string', length: 20, nullable: true })
  fromNumber?: string | null;

  @Property({ type: 'string', length: 20, default: 'draft' })
  status: CampaignStatus & Opt = 'draft';

  @Property({ type: 'string', length: 20, nullable: true })
  pauseReason?: PauseReason | null;

  @Property({ type: 'json' })
  schedule!: CampaignSchedule;

  @Property({ type: 'integer', nullable: true })
  maxConcurrency?: number | null;

  @Property({ type: 'json' })
  retry!: RetryPolicy;

  @Property({ type: 'json', nullable: true })
  dynamicVariables?: Record<string, string> | null;

  @Property({ type: 'integer', default: 0 })
  targetCount: number & Opt = 0;

  @Property({ type: 'datetime', columnType: 'timestamp', nullable: true })
  startedAt?: Date | null;

  @Property({ type: 'datetime', columnType: 'timestamp', nullable: true })
  completedAt?: Date | null;

  @Property({ type: 'datetime', columnType: 'timestamp', nullable: true })
  lastDialledAt?: Date | null;
}
