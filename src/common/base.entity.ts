import type { Opt } from '@mikro-orm/postgresql';
import { PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/** `id SERIAL`, `created_at`, `updated_at` as in the seed schema; `updated_at` moves on every flush that changes the row. */
export abstract class BaseEntity {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'datetime', columnType: 'timestamp', defaultRaw: 'current_timestamp', onCreate: () => new Date() })
  createdAt: Date & Opt = new Date();

  @Property({
    type: 'datetime',
    columnType: 'timestamp',
    defaultRaw: 'current_timestamp',
    onCreate: () => new Date(),
    onUpdate: () => new Date(),
  })
  updatedAt: Date & Opt = new Date();
}
