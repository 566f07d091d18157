import type { Opt } from '@mikro-orm/postgresql';
import { Entity, Property, Unique } from '@mikro-orm/decorators/legacy';
import { BaseEntity } from '../common/base.entity.js';
import { UserRepository } from './user.repository.js';

/**
 * Usernames and e-mails are unique whatever their case (`Acme` and `acme` are one account), through unique indexes on
 * lower(); the seed's plain UNIQUE constraints stay.
 */
@Entity({ tableName: 'users', repository: () => UserRepository })
@Unique({ name: 'users_username_lower_unique', expression: 'create unique index "users_username_lower_unique" on "users" (lower("username"))' })
@Unique({ name: 'users_email_lower_unique', expression: 'create unique index "users_email_lower_unique" on "users" (lower("email"))' })
export class User extends BaseEntity {
  @Property({ type: 'string', length: 50, unique: true })
  username!: string;

  /** Stored lower-cased. */
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
