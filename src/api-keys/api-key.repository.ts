import { EntityRepository } from '@mikro-orm/postgresql';
import type { ApiKey } from './api-key.entity.js';

export class ApiKeyRepository extends EntityRepository<ApiKey> {
  /** One query: the key and its owner, for authentication. */
  findByHash(keyHash: string): Promise<ApiKey | null> {
    return this.findOne({ keyHash }, { populate: ['user'] });
  }

  findForOwner(ownerId: number, id: number): Promise<ApiKey | null> {
    return this.findOne({ id, user: ownerId });
  }

  findPageForOwner(ownerId: number, afterId: number | undefined, limit: number): Promise<ApiKey[]> {
    return this.find(
      { user: ownerId, ...(afterId === undefined ? {} : { id: { $lt: afterId } }) },
      { orderBy: { id: 'desc' }, limit },
    );
  }

  /** Debounced `last_used_at`: one conditional UPDATE, and only when the loaded value is stale. */
  async touch(id: number, now: Date): Promise<void> {
    await this.nativeUpdate({ id }, { lastUsedAt: now });
  }
}
