import { EntityRepository } from '@mikro-orm/postgresql';
import { Keyset, type PageRequestOf } from '../common/pagination/keyset.js';
import type { Page } from '../common/pagination/page.dto.js';
import type { Call, CallDirection } from './call.entity.js';

/** Newest first, over the (user_id, created_at, id) index. */
export const CALL_PAGES = new Keyset('desc', { createdAt: { type: 'date', column: 'created_at' }, id: { type: 'number' } });

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
  async findPageForOwner(ownerId: number, filters: CallFilters, page: PageRequestOf<typeof CALL_PAGES>): Promise<Page<CallListRow>> {
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
    const rows = await this.createQueryBuilder('c')
      .select([...LIST_FIELDS])
      .where({ ...where, ...CALL_PAGES.after(page) })
      .orderBy(CALL_PAGES.orderBy)
      .limit(CALL_PAGES.fetchSize(page))
      .execute<Array<Omit<CallListRow, 'agent'> & { agent: number }>>('all', true);
    return CALL_PAGES.page(rows.map((row) => ({ ...row, agent: { id: row.agent } })), page);
  }

  /** Outbound calls the user started since `since` (for the per-minute cap). */
  countOutboundSince(ownerId: number, since: Date): Promise<number> {
    return this.count({ user: ownerId, direction: 'outbound', createdAt: { $gte: since } });
  }
}
