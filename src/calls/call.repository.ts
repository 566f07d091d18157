import { EntityRepository } from '@mikro-orm/postgresql';
import type { Call, CallDirection } from './call.entity.js';

export interface CallFilters {
  agentId?: number;
  status?: string;
  direction?: string;
  createdFrom?: Date;
  createdTo?: Date;
}

/** The columns a history page shows, as plain values: what `CallResponseDto.fromEntity` reads from a Call. */
export const LIST_FIELDS = [
  'id', 'agent', 'retellCallId', 'callType', 'direction', 'fromNumber', 'toNumber', 'status', 'duration', 'startedAt',
  'endedAt', 'disconnectionReason', 'recordingUrl', 'publicLogUrl', 'callAnalysis', 'callCost', 'metadata',
  'dynamicVariables', 'createdAt', 'updatedAt',
] as const;
export type CallListRow = Omit<Pick<Call, (typeof LIST_FIELDS)[number]>, 'agent'> & { agent: { id: number } };

export class CallRepository extends EntityRepository<Call> {
  findForOwner(ownerId: number, id: number, withTranscript = false): Promise<Call | null> {
    return this.findOne({ id, user: ownerId }, withTranscript ? { populate: ['transcript', 'transcriptObject'] } : {});
  }

  /**
   * Keyset page, newest first, over the (user_id, created_at, id) index: the cost does not grow with the depth of
   * the page (no OFFSET, no count).
   */
  async findPageForOwner(
    ownerId: number,
    filters: CallFilters,
    after: { createdAt: Date; id: number } | undefined,
    limit: number,
  ): Promise<CallListRow[]> {
    const where: { user: number; agent?: number; status?: string; direction?: CallDirection; createdAt?: { $gte?: Date; $lt?: Date } } = {
      user: ownerId,
    };
    if (filters.agentId !== undefined) where.agent = filters.agentId;
    if (filters.status !== undefined) where.status = filters.status;
    if (filters.direction !== undefined) where.direction = filters.direction as CallDirection;
    if (filters.createdFrom || filters.createdTo) {
      where.createdAt = { ...(filters.createdFrom && { $gte: filters.createdFrom }), ...(filters.createdTo && { $lt: filters.createdTo }) };
    }
    // Read-only rows, mapped to property names and types but not hydrated into entities: creating and registering 51
    // entities per page was ~45% of the app's CPU on this route (profiled under `npm run bench`).
    const qb = this.createQueryBuilder('c').select([...LIST_FIELDS]).where(where);
    // A row comparison, not `created_at < ? or (created_at = ? and id < ?)`: PostgreSQL turns the row comparison into
    // an index range start, while the OR form is only a filter, so the index scan would read (and discard) every newer
    // row first — measured by `npm run bench` at ~900,000 rows deep.
    if (after) qb.andWhere('(c.created_at, c.id) < (?, ?)', [after.createdAt.toISOString(), after.id]);
    const rows = await qb
      .orderBy({ createdAt: 'desc', id: 'desc' })
      .limit(limit)
      .execute<Array<Omit<CallListRow, 'agent'> & { agent: number }>>('all', true);
    return rows.map((row) => ({ ...row, agent: { id: row.agent } }));
  }

  /** Outbound calls the user started since `since` (for the per-minute cap). */
  countOutboundSince(ownerId: number, since: Date): Promise<number> {
    return this.count({ user: ownerId, direction: 'outbound', createdAt: { $gte: since } });
  }
}
