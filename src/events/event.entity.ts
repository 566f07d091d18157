import type { Opt, Ref } from '@mikro-orm/postgresql';
import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { User } from '../users/user.entity.js';
import { EventRepository } from './event.repository.js';

export const EVENT_TYPES = [
  'call.started',
  'call.ended',
  'call.analyzed',
  'agent.created',
  'agent.updated',
  'agent.published',
  'agent.deleted',
  'phone_number.created',
  'phone_number.updated',
  'phone_number.deleted',
  'campaign.started',
  'campaign.paused',
  'campaign.completed',
  'ping',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * The tenant's event log and the outbox of partner webhooks (not in the seed; see docs/schema.md). A row is written
 * in the same transaction as the change it reports — by a trigger on `calls` for call events, by the services for
 * the others — and the relay (src/jobs) turns each undispatched row into one delivery per matching endpoint.
 */
@Entity({ tableName: 'events', repository: () => EventRepository })
@Index({ name: 'events_user_id_id_index', properties: ['user', 'id'] })
// The relay's scan: only undispatched rows, so it stays small however long the log grows.
@Index({ name: 'events_undispatched_index', expression: 'create index "events_undispatched_index" on "events" ("id") where "dispatched_at" is null' })
export class Event {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @ManyToOne({ entity: () => User, ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Property({ type: 'string', length: 50 })
  type!: EventType;

  /** The agent the event is about (endpoints can filter by agent); not a foreign key: the log outlives the agent. */
  @Property({ type: 'integer', nullable: true })
  agentId?: number | null;

  /** Only this endpoint receives the event (`ping` from POST /webhook-endpoints/:id/test). */
  @Property({ type: 'integer', nullable: true })
  endpointId?: number | null;

  /** What the matching GET returns; null until a call event's snapshot is materialised (see EventsService). */
  @Property({ type: 'json', nullable: true })
  data?: Record<string, unknown> | null;

  /** Call events: the `calls` row as the trigger saw it (`to_jsonb(NEW)`), mapped to the call's DTO later. */
  @Property({ type: 'json', nullable: true, lazy: true })
  snapshot?: Record<string, unknown> | null;

  /** At most one event per key, e.g. `call:42:call.ended`. */
  @Property({ type: 'string', length: 200, nullable: true, unique: true })
  dedupeKey?: string | null;

  /** Set by the relay once the deliveries for this event exist. */
  @Property({ type: 'datetime', columnType: 'timestamp', nullable: true })
  dispatchedAt?: Date | null;

  @Property({ type: 'datetime', columnType: 'timestamp', defaultRaw: 'current_timestamp', onCreate: () => new Date() })
  createdAt: Date & Opt = new Date();
}
