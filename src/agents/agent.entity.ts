import type { Opt, Ref } from '@mikro-orm/postgresql';
import { Entity, Index, ManyToOne, Property } from '@mikro-orm/decorators/legacy';
import { BaseEntity } from '../common/base.entity.js';
import { User } from '../users/user.entity.js';
import { AgentRepository } from './agent.repository.js';
import type { RetellLanguage, VoicemailSetting } from './outbound-settings.js';
import type { PostCallAnalysis } from './post-call-analysis.js';

/** The list is paged newest first by (created_at, id) within one owner: this index serves it in either direction. */
@Entity({ tableName: 'agents', repository: () => AgentRepository })
@Index({ name: 'agents_user_id_created_at_id_index', properties: ['user', 'createdAt', 'id'] })
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

  /** Retell's latest version of the agent: the draft edits land on, or the published one when there is no draft. */
  @Property({ type: 'integer', default: 0 })
  version: number & Opt = 0;

  /** The last version published through `POST /agents/:id/publish`; null until the first publish. */
  @Property({ type: 'integer', nullable: true })
  publishedVersion?: number | null;

  /** True when nothing (agent, LLM configuration, tools) changed since the last publish. */
  @Property({ type: 'boolean', default: false })
  isPublished: boolean & Opt = false;

  /** What Retell extracts after each call (`post_call_analysis_data` / `_model`), as the API takes it. */
  @Property({ type: 'json', nullable: true })
  postCallAnalysis?: PostCallAnalysis | null;

  // Outbound settings, sent to Retell; null = Retell's default.
  /** Retell's `language` (one locale). */
  @Property({ type: 'string', length: 10, nullable: true })
  language?: RetellLanguage | null;

  /** Retell's `max_call_duration_ms`. */
  @Property({ type: 'integer', nullable: true })
  maxCallDurationMs?: number | null;

  /** Retell's `end_call_after_silence_ms`. */
  @Property({ type: 'integer', nullable: true })
  endCallAfterSilenceMs?: number | null;

  /** Retell's `voicemail_option`, as the API takes it (`{action:'hangup'}` or `{action:'leave_message', text}`). */
  @Property({ type: 'json', nullable: true })
  voicemail?: VoicemailSetting | null;
}

