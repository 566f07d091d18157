import type { Opt, Ref } from '@mikro-orm/postgresql';
import { Entity, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { User } from '../../users/user.entity.js';

/**
 * `Idempotency-Key` records (not in the seed; see docs/schema.md): the first request's fingerprint and, once it
 * finished, its response — replayed for a retry with the same key. Scoped per user.
 */
@Entity({ tableName: 'idempotency_keys' })
@Unique({ properties: ['user', 'key'] })
export class IdempotencyKey {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @ManyToOne({ entity: () => User, ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Property({ type: 'string', length: 255 })
  key!: string;

  /** SHA-256 of the route, its path parameters and the request body (object keys sorted). */
  @Property({ type: 'string', length: 64 })
  requestHash!: string;

  @Property({ type: 'integer', nullable: true })
  responseStatus?: number | null;

  @Property({ type: 'json', nullable: true })
  responseBody?: unknown;

  @Property({ type: 'datetime', columnType: 'timestamp', defaultRaw: 'current_timestamp', onCreate: () => new Date() })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'datetime', columnType: 'timestamp', nullable: true })
  completedAt?: Date | null;
}
