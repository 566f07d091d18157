import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

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
