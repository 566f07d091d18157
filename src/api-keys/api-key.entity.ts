import type { Opt, Ref } from '@mikro-orm/postgresql';
import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { User } from '../users/user.entity.js';
import { ApiKeyRepository } from './api-key.repository.js';

@Entity({ tableName: 'api_keys', repository: () => ApiKeyRepository })
export class ApiKey {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @ManyToOne({ entity: () => User, ref: true, deleteRule: 'cascade', index: true })
  user!: Ref<User>;

  @Property({ type: 'string', length: 50 })
  keyName!: string;

  /** SHA-256 (hex) of the secret — never the secret itself. The column keeps the seed's name. */
  @Property({ fieldName: 'api_key', type: 'string', length: 100, unique: true, hidden: true })
  keyHash!: string;

  /** The first characters of the secret, shown so a person can tell keys apart. */
  @Property({ type: 'string', length: 20 })
  keyPrefix!: string;

  @Property({ type: 'string', length: 4 })
  lastFour!: string;

  @Property({ type: 'boolean', default: true })
  isActive: boolean & Opt = true;

  @Property({ type: 'datetime', columnType: 'timestamp', defaultRaw: 'current_timestamp', onCreate: () => new Date() })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'datetime', columnType: 'timestamp', nullable: true })
  lastUsedAt?: Date | null;

  @Property({ type: 'datetime', columnType: 'timestamp', nullable: true })
  expiresAt?: Date | null;
}
