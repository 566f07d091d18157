import { EntityRepository } from '@mikro-orm/postgresql';
import { Keyset, type PageRequestOf } from '../common/pagination/keyset.js';
import type { Page } from '../common/pagination/page.dto.js';
import { plainRows } from '../database/plain-rows.js';
import type { ApiKey } from './api-key.entity.js';

/** Newest first. */
export const API_KEY_PAGES = new Keyset('desc', { id: { type: 'number' } });

export interface ApiKeyAuthRow {
  id: number;
  userId: number;
  isActive: boolean;
  userActive: boolean;
  expiresAtMs: number | null;
  lastUsedAtMs: number | null;
}

export class ApiKeyRepository extends EntityRepository<ApiKey> {
  /**
   * Authentication's one query, run on every API-key request: the key's state and its owner's, as plain values.
   * Hydrating an ApiKey and a User entity per request was the largest single ORM cost on the read path measured by
   * `npm run bench`; times come back as epoch milliseconds (columns hold UTC) so nothing depends on date parsing.
   */
  async findForAuthentication(keyHash: string): Promise<ApiKeyAuthRow | undefined> {
    const [row] = await plainRows<ApiKeyAuthRow>(
      this.em,
      `select k.id, k.user_id as "userId", k.is_active as "isActive", u.is_active as "userActive",
              (extract(epoch from k.expires_at) * 1000)::float8 as "expiresAtMs",
              (extract(epoch from k.last_used_at) * 1000)::float8 as "lastUsedAtMs"
         from api_keys k join users u on u.id = k.user_id
        where k.api_key = ?`,
      [keyHash],
    );
    return row;
  }

  findForOwner(ownerId: number, id: number): Promise<ApiKey | null> {
    return this.findOne({ id, user: ownerId });
  }

  async findPageForOwner(ownerId: number, page: PageRequestOf<typeof API_KEY_PAGES>): Promise<Page<ApiKey>> {
    const rows = await this.find({ user: ownerId, ...API_KEY_PAGES.after(page) }, { orderBy: API_KEY_PAGES.orderBy, limit: API_KEY_PAGES.fetchSize(page) });
    return API_KEY_PAGES.page(rows, page);
  }

  /** `last_used_at`, one UPDATE by id. The caller debounces it: it writes only when the value it loaded is stale. */
  async touch(id: number, now: Date): Promise<void> {
    await this.nativeUpdate({ id }, { lastUsedAt: now });
  }
}
