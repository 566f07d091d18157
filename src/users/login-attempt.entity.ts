import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/**
 * Login attempts in the current one-minute window, per account (or unknown login) and client address: the login
 * throttle's counter, in PostgreSQL so every app instance shares it. Not in the seed; see docs/schema.md.
 */
@Entity({ tableName: 'login_attempts' })
export class LoginAttempt {
  /** SHA-256 of the account id (or the lower-cased unknown login) and the client address: neither is kept in clear. */
  @PrimaryKey({ type: 'string', length: 64 })
  keyHash!: string;

  @Property({ type: 'datetime', columnType: 'timestamp' })
  windowStart!: Date;

  @Property({ type: 'integer' })
  attempts!: number;
}
