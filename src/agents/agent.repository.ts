import { EntityRepository, type FilterQuery } from '@mikro-orm/postgresql';
import { ApiException, ResourceNotFoundException } from '../common/errors/app-exceptions.js';
import { Keyset, type PageRequestOf } from '../common/pagination/keyset.js';
import type { Page } from '../common/pagination/page.dto.js';
import type { Agent } from './agent.entity.js';

/** Newest first, over the (user_id, created_at, id) index. */
export const AGENT_PAGES = new Keyset('desc', { createdAt: { type: 'date', column: 'created_at' }, id: { type: 'number' } });

export interface AgentListFilter {
  isActive?: boolean;
  /** Case-insensitive substring of the name, matched literally (`%` and `_` are not wildcards). */
  nameContains?: string;
}

/** `%`, `_` and the escape character itself match literally in a LIKE pattern once escaped (PostgreSQL's default escape is `\`). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export class AgentRepository extends EntityRepository<Agent> {
  findForOwner(ownerId: number, id: number): Promise<Agent | null> {
    return this.findOne({ id, user: ownerId });
  }

  /** The agent as it is now in the database (not a copy the request already holds): for changes under an edit lease. */
  findFreshForOwner(ownerId: number, id: number): Promise<Agent | null> {
    return this.findOne({ id, user: ownerId }, { refresh: true });
  }

  /** An agent that may place calls or get numbers: another tenant's or a missing one is 404, an inactive one 409. */
  async getActiveForOwner(ownerId: number, id: number): Promise<Agent> {
    const agent = await this.findForOwner(ownerId, id);
    if (!agent) throw new ResourceNotFoundException('Agent');
    if (!agent.isActive) throw new ApiException(409, 'The agent is inactive; activate it first');
    return agent;
  }

  /** Which of these Retell agent ids belong to the owner (tools may only point at the owner's own agents). */
  async findOwnedRetellAgentIds(ownerId: number, retellAgentIds: string[]): Promise<Set<string>> {
    if (retellAgentIds.length === 0) return new Set();
    const rows = await this.find({ user: ownerId, retellAgentId: { $in: retellAgentIds } }, { fields: ['retellAgentId'] });
    return new Set(rows.map((agent) => agent.retellAgentId));
  }

  async findPageForOwner(ownerId: number, filter: AgentListFilter, page: PageRequestOf<typeof AGENT_PAGES>): Promise<Page<Agent>> {
    const where: FilterQuery<Agent> = { user: ownerId };
    if (filter.isActive !== undefined) where.isActive = filter.isActive;
    if (filter.nameContains) where.name = { $ilike: `%${escapeLike(filter.nameContains)}%` };
    const rows = await this.find({ ...where, ...AGENT_PAGES.after(page) }, { orderBy: AGENT_PAGES.orderBy, limit: AGENT_PAGES.fetchSize(page) });
    return AGENT_PAGES.page(rows, page);
  }
}
