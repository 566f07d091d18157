import type { Opt, Ref } from '@mikro-orm/postgresql';
import { Entity, Index, ManyToOne, Property } from '@mikro-orm/decorators/legacy';
import { BaseEntity } from '../common/base.entity.js';
import { User } from '../users/user.entity.js';
import { WebhookEndpointRepository } from './webhook-endpoint.repository.js';

/** A tenant's own URL that receives its events, signed per Standard Webhooks (not in the seed; see docs/schema.md). */
@Entity({ tableName: 'webhook_endpoints', repository: () => WebhookEndpointRepository })
@Index({ name: 'webhook_endpoints_user_id_id_index', properties: ['user', 'id'] })
export class WebhookEndpoint extends BaseEntity {
  @ManyToOne({ entity: () => User, ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Property({ type: 'text' })
  url!: string;

  @Property({ type: 'string', length: 500, nullable: true })
  description?: string | null;

  /** Event types it receives; null = every type. */
  @Property({ type: 'json', nullable: true })
  eventTypes?: string[] | null;

  /** Only events about these agents; null = all of the owner's. */
  @Property({ type: 'json', nullable: true })
  agentIds?: number[] | null;

  @Property({ type: 'boolean', default: true })
  isActive: boolean & Opt = true;

  /** The signing secret (`whsec_…`), encrypted with AES-256-GCM (see webhook-secrets.ts). */
  @Property({ type: 'text', lazy: true })
  secretCiphertext!: string;

  /** After a rotation: the previous secret, which keeps signing until `previousSecretExpiresAt`. */
  @Property({ type: 'text', nullable: true, lazy: true })
  previousSecretCiphertext?: string | null;

  @Property({ type: 'datetime', columnType: 'timestamp', nullable: true })
  previousSecretExpiresAt?: Date | null;

  /** Since when every delivery has failed (null after any success). */
  @Property({ type: 'datetime', columnType: 'timestamp', nullable: true })
  failingSince?: Date | null;

  /** Why the endpoint was turned off by us (e.g. it failed every delivery for 5 days). */
  @Property({ type: 'string', length: 500, nullable: true })
  disabledReason?: string | null;
}
