import type { Opt } from '@mikro-orm/postgresql';
import { Entity, Property } from '@mikro-orm/decorators/legacy';
import { BaseEntity } from '../common/base.entity.js';
import { UserRepository } from './user.repository.js';

@Entity({ tableName: 'users', repository: () => UserRepository })
export class User extends BaseEntity {
  @Property({ type: 'string', length: 50, unique: true })
  username!: string;

  /** Stored lower-cased so uniqueness is case-insensitive. */
  @Property({ type: 'string', length: 100, unique: true })
  email!: string;

  @Property({ type: 'string', length: 255, hidden: true, lazy: true })
  passwordHash!: string;

  @Property({ type: 'string', length: 50, nullable: true })
  firstName?: string | null;

  @Property({ type: 'string', length: 50, nullable: true })
  lastName?: string | null;

  @Property({ type: 'boolean', default: true })
  isActive: boolean & Opt = true;
}
