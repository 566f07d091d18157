import type { Opt, Ref } from '@mikro-orm/postgresql';
import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { User } from './user.entity.js';

/**
 * Not in the seed (see docs/schema.md): refresh tokens are opaque, stored as SHA-256 and rotated on every use.
 * All tokens descending from one login share a `family`; presenting a used token revokes the family.
 */
@Entity({ tableName: 'refresh_tokens' })
export class RefreshToken {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @ManyToOne({ entity: () => User, ref: true, deleteRule: 'cascade', index: true })
  user!: Ref<User>;

  @Property({ type: 'uuid' })
  @Index()
  family!: string;

  @Property({ type: 'string', length: 64, unique: true })
  tokenHash!: string;

  @Property({ type: 'datetime', columnType: 'timestamp' })
  expiresAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamp', nullable: true })
  usedAt?: Date | null;

  @Property({ type: 'datetime', columnType: 'timestamp', nullable: true })
  revokedAt?: Date | null;

  @Property({ type: 'datetime', columnType: 'timestamp', defaultRaw: 'current_timestamp', onCreate: () => new Date() })
  createdAt: Date & Opt = new Date();
}
