import type { Opt, Ref } from '@mikro-orm/postgresql';
import { Entity, Index, ManyToOne, Property, Unique } from '@mikro-orm/decorators/legacy';
import { BaseEntity } from '../common/base.entity.js';
import { User } from '../users/user.entity.js';
import { ContactRepository } from './contact.repository.js';

/** One contact per number per tenant: the unique index is the rule (a concurrent duplicate is a 409, not a race). */
@Entity({ tableName: 'contacts', repository: () => ContactRepository })
@Unique({ name: 'contacts_user_id_phone_number_unique', properties: ['user', 'phoneNumber'] })
@Index({ name: 'contacts_user_id_created_at_id_index', properties: ['user', 'createdAt', 'id'] })
export class Contact extends BaseEntity {
  @ManyToOne({ entity: () => User, ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  /** E.164. */
  @Property({ type: 'string', length: 20 })
  phoneNumber!: string;

  @Property({ type: 'string', length: 200, nullable: true })
  name?: string | null;

  @Property({ type: 'string', length: 254, nullable: true })
  email?: string | null;

  /** IANA time zone name, e.g. `Europe/Berlin`. */
  @Property({ type: 'string', length: 64, nullable: true })
  timezone?: string | null;

  @Property({ type: 'json', nullable: true })
  dynamicVariables?: Record<string, string> | null;

  @Property({ type: 'boolean', default: false })
  doNotCall: boolean & Opt = false;

  @Property({ type: 'boolean', default: false })
  blocked: boolean & Opt = false;

  @Property({ type: 'text', nullable: true })
  notes?: string | null;
}
