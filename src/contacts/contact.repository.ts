import { EntityRepository, type FilterQuery } from '@mikro-orm/postgresql';
import { escapeLike } from '../agents/agent.repository.js';
import { Keyset, type PageRequestOf } from '../common/pagination/keyset.js';
import type { Page } from '../common/pagination/page.dto.js';
import type { Contact } from './contact.entity.js';

/** Newest first, over the (user_id, created_at, id) index. */
export const CONTACT_PAGES = new Keyset('desc', { createdAt: { type: 'date', column: 'created_at' }, id: { type: 'number' } });

export interface ContactListFilter {
  /** Case-insensitive substring of the name or the number, matched literally (`%` and `_` are not wildcards). */
  q?: string;
  doNotCall?: boolean;
}

/** One row of an import, in column names; `given` lists the fields the row sets (the others keep their values). */
export interface ContactUpsertRow {
  phone_number: string;
  name?: string | null;
  email?: string | null;
  timezone?: string | null;
  dynamic_variables?: Record<string, string> | null;
  do_not_call?: boolean;
  blocked?: boolean;
  notes?: string | null;
  given: string[];
}

export class ContactRepository extends EntityRepository<Contact> {
  findForOwner(ownerId: number, id: number): Promise<Contact | null> {
    return this.findOne({ id, user: ownerId });
  }

  async findPageForOwner(ownerId: number, filter: ContactListFilter, page: PageRequestOf<typeof CONTACT_PAGES>): Promise<Page<Contact>> {
    const where: FilterQuery<Contact> = { user: ownerId };
    if (filter.doNotCall !== undefined) where.doNotCall = filter.doNotCall;
    if (filter.q) {
      const pattern = `%${escapeLike(filter.q)}%`;
      where.$or = [{ name: { $ilike: pattern } }, { phoneNumber: { $ilike: pattern } }];
    }
    const rows = await this.find({ ...where, ...CONTACT_PAGES.after(page) }, { orderBy: CONTACT_PAGES.orderBy, limit: CONTACT_PAGES.fetchSize(page) });
    return CONTACT_PAGES.page(rows, page);
  }

  /** The owner's contact ids for these numbers (a call's other party): one lookup on the (user_id, phone_number) index. */
  async idsByNumber(ownerId: number, numbers: string[]): Promise<Map<string, number>> {
    if (numbers.length === 0) return new Map();
    const rows = await this.em.execute<{ id: number; phone_number: string }[]>(
      'select id, phone_number from contacts where user_id = ? and phone_number in (select jsonb_array_elements_text(?::jsonb))',
      [ownerId, JSON.stringify(numbers)],
    );
    return new Map(rows.map((row) => [row.phone_number, row.id]));
  }

  /**
   * Upserts a batch by number in ONE statement. Fields a row does not give keep the contact's current values (a CSV
   * without a `notes` column leaves notes alone). Numbers are unique within a batch (the caller refuses repeats), as
   * ON CONFLICT cannot touch one row twice. `xmax = 0` holds for rows this statement inserted.
   */
  async upsertBatch(ownerId: number, rows: ContactUpsertRow[]): Promise<{ created: number; updated: number }> {
    if (rows.length === 0) return { created: 0, updated: 0 };
    const pick = (column: string) => `case when '${column}' = any(v.given) then v.${column} else contacts.${column} end`;
    const columns = ['name', 'email', 'timezone', 'dynamic_variables', 'do_not_call', 'blocked', 'notes'];
    const result = await this.em.execute<{ inserted: boolean }[]>(
      `with v as (
         select * from jsonb_to_recordset(?::jsonb) as x(phone_number varchar, name varchar, email varchar, timezone varchar,
           dynamic_variables jsonb, do_not_call boolean, blocked boolean, notes text, given text[]))
       insert into contacts (user_id, phone_number, name, email, timezone, dynamic_variables, do_not_call, blocked, notes)
       select ?, v.phone_number, v.name, v.email, v.timezone, v.dynamic_variables, coalesce(v.do_not_call, false),
              coalesce(v.blocked, false), v.notes
         from v
       on conflict (user_id, phone_number) do update set (${columns.join(', ')}) =
         (select ${columns.map(pick).join(', ')} from v where v.phone_number = excluded.phone_number)
       returning (xmax = 0) as inserted`,
      [JSON.stringify(rows), ownerId],
    );
    const created = result.filter((row) => row.inserted).length;
    return { created, updated: result.length - created };
  }
}
