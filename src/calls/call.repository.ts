import { EntityRepository, raw, type FilterQuery } from '@mikro-orm/postgresql';
import type { Call } from './call.entity.js';

export interface CallFilters {
  agentId?: number;
  status?: string;
  direction?: string;
  createdFrom?: Date;
  createdTo?: Date;
}

export class CallRepository extends EntityRepository<Call> {
  findForOwner(ownerId: number, id: number, withTranscript = false): Promise<Call | null> {
    return this.findOne({ id, user: ownerId }, withTranscript ? { populate: ['transcript', 'transcriptObject'] } : {});
  }

  /**
   * Keyset page, newest first, over the (user_id, created_at, id) index: the cost does not grow with the depth of
   * the page (no OFFSET, no count).
   */
  findPageForOwner(ownerId: number, filters: CallFilters, after: { createdAt: Date; id: number } | undefined, limit: number): Promise<Call[]> {
    const where: FilterQuery<Call> = { user: ownerId };
    if (filters.agentId !== undefined) where.agent = filters.agentId;
    if (filters.status !== undefined) where.status = filters.status;
    if (filters.direction !== undefined) where.direction = filters.direction as Call['direction'];
    if (filters.createdFrom || filters.createdTo) {
      where.createdAt = { ...(filters.createdFrom && { $gte: filters.createdFrom }), ...(filters.createdTo && { $lt: filters.createdTo }) };
    }
    // A row comparison, not `created_at < ? or (created_at = ? and id < ?)`: PostgreSQL turns the row comparison into
    // an index range start, while the OR form is only a filter, so the index scan would read (and discard) every newer
    // row first — measured by `npm run bench` at ~900,000 rows deep.
    const keyset: FilterQuery<Call> = after
      ? { [raw((alias) => `(${alias}.created_at, ${alias}.id) < (?, ?)`, [after.createdAt.toISOString(), after.id])]: [] }
      : {};
    return this.find({ $and: [where, keyset] }, { orderBy: { createdAt: 'desc', id: 'desc' }, limit });
  }

  /** Outbound calls the user started since `since` (for the per-minute cap). */
  countOutboundSince(ownerId: number, since: Date): Promise<number> {
    return this.count({ user: ownerId, direction: 'outbound', createdAt: { $gte: since } });
  }
}
