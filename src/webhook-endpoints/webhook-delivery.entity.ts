import type { Opt, Ref } from '@mikro-orm/postgresql';
import { Entity, Index, ManyToOne, Property, Unique } from '@mikro-orm/decorators/legacy';
import { BaseEntity } from '../common/base.entity.js';
import { Event } from '../events/event.entity.js';
import { User } from '../users/user.entity.js';
import { WebhookEndpoint } from './webhook-endpoint.entity.js';

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

/** One event for one endpoint: its attempts, outcome and next try (not in the seed; see docs/schema.md). */
@Entity({ tableName: 'webhook_deliveries' })
@Unique({ name: 'webhook_deliveries_endpoint_id_event_id_unique', properties: ['endpoint', 'event'] })
@Index({ name: 'webhook_deliveries_endpoint_id_id_index', properties: ['endpoint', 'id'] })
// The delivery loop's claim scans only pending rows in due order, however many finished deliveries are kept.
@Index({
  name: 'webhook_deliveries_due_index',
  expression: `create index "webhook_deliveries_due_index" on "webhook_deliveries" ("next_attempt_at", "id") where "status" = 'pending'`,
})
export class WebhookDelivery extends BaseEntity {
  @ManyToOne({ entity: () => WebhookEndpoint, ref: true, deleteRule: 'cascade' })
  endpoint!: Ref<WebhookEndpoint>;

  @ManyToOne({ entity: () => Event, ref: true, deleteRule: 'cascade', index: true })
  event!: Ref<Event>;

  @ManyToOne({ entity: () => User, ref: true, deleteRule: 'cascade', index: true })
  user!: Ref<User>;

  @Property({ type: 'string', length: 20, default: 'pending' })
  status: DeliveryStatus & Opt = 'pending';

  @Property({ type: 'integer', default: 0 })
  attempts: number & Opt = 0;

  @Property({ type: 'integer', nullable: true })
  lastStatusCode?: number | null;

  @Property({ type: 'string', length: 500, nullable: true })
  lastError?: string | null;

  @Property({ type: 'integer', nullable: true })
  lastDurationMs?: number | null;

  @Property({ type: 'datetime', columnType: 'timestamp', nullable: true })
  lastAttemptAt?: Date | null;

  /** When the next attempt is due; null once succeeded or failed for good. */
  @Property({ type: 'datetime', columnType: 'timestamp', nullable: true })
  nextAttemptAt?: Date | null;

  /**
   * A short claim instead of a lock held across the HTTP request: the instance that set it owns the attempt until
   * this time (the timeout plus a margin); after that another may take it over (an instance that died).
   */
  @Property({ type: 'datetime', columnType: 'timestamp', nullable: true })
  claimedUntil?: Date | null;

  @Property({ type: 'uuid', nullable: true })
  claimToken?: string | null;
}
