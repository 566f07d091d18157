import type { Opt, Ref } from '@mikro-orm/postgresql';
import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Call } from '../../calls/call.entity.js';
import { User } from '../../users/user.entity.js';

/**
 * Token buckets for limits shared by every instance (not in the seed; see docs/schema.md): one row per limit and
 * owner, e.g. `calls:42`. Taken and refilled in one conditional statement, so concurrency cannot beat them.
 */
@Entity({ tableName: 'rate_limits' })
export class RateLimitBucket {
  @PrimaryKey({ type: 'string', length: 100 })
  key!: string;

  /** Tokens left at `updatedAt`; refilled continuously up to the limit's capacity. */
  @Property({ type: 'double' })
  tokens!: number;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  updatedAt!: Date;
}

/**
 * Short claims on a resource while a change of it talks to Retell (not in the seed; see docs/schema.md): taken and
 * released by single statements, so no transaction, row lock or pooled connection waits on the network. A claim of
 * a process that died expires by itself.
 */
@Entity({ tableName: 'edit_leases' })
export class EditLease {
  @PrimaryKey({ type: 'string', length: 100 })
  resource!: string;

  @Property({ type: 'uuid' })
  token!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  expiresAt!: Date;
}

/**
 * One dial's claim on the call concurrency (not in the seed; see docs/schema.md and DialSlots): taken in one short
 * transaction before Retell is asked, tied to the call row once Retell answered (`call`), given back if Retell
 * refused. It counts while unattached and unexpired, or while its call is not final; finished ones are deleted lazily.
 */
@Entity({ tableName: 'dial_slots' })
export class DialSlotRow {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @ManyToOne({ entity: () => User, ref: true, deleteRule: 'cascade', index: true })
  user!: Ref<User>;

  /** The campaign dialling, if any (no foreign key: the campaigns module owns that table). */
  @Property({ type: 'integer', nullable: true })
  campaignId?: number | null;

  /** Set by `attach` once Retell answered; the slot then counts while this call is not final. */
  @ManyToOne({ entity: () => Call, ref: true, nullable: true, deleteRule: 'cascade', index: true })
  call?: Ref<Call> | null;

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt!: Date & Opt;

  /** An unattached slot stops counting after this (a dial whose instance died before it recorded the answer). */
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  expiresAt!: Date;
}
