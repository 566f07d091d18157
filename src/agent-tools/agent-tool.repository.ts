import { EntityRepository } from '@mikro-orm/postgresql';
import { Keyset, type PageRequestOf } from '../common/pagination/keyset.js';
import type { Page } from '../common/pagination/page.dto.js';
import type { AgentTool } from './agent-tool.entity.js';

/** What a response shows of a tool, as plain values: an entity is one, so is a row read without hydration. */
export type AgentToolRow = Pick<AgentTool, 'id' | 'toolType' | 'name' | 'toolConfig' | 'createdAt' | 'updatedAt'> & { agent: { id: number } };

/** Oldest first: the order they were added, which is the order Retell gets them in. */
export const AGENT_TOOL_PAGES = new Keyset('asc', { id: { type: 'number' } });

export class AgentToolRepository extends EntityRepository<AgentTool> {
  /** All tools of one of the owner's agents, in the order they were added (the order Retell gets them in). */
  findAllForOwner(ownerId: number, agentId: number): Promise<AgentTool[]> {
    return this.find({ agent: { id: agentId, user: ownerId } }, { orderBy: { id: 'asc' } });
  }

  /** A page of the tools, oldest first. */
  async findPageForOwner(ownerId: number, agentId: number, page: PageRequestOf<typeof AGENT_TOOL_PAGES>): Promise<Page<AgentTool>> {
    const rows = await this.find(
      { agent: { id: agentId, user: ownerId }, ...AGENT_TOOL_PAGES.after(page) },
      { orderBy: AGENT_TOOL_PAGES.orderBy, limit: AGENT_TOOL_PAGES.fetchSize(page) },
    );
    return AGENT_TOOL_PAGES.page(rows, page);
  }

  findForOwner(ownerId: number, agentId: number, toolId: number): Promise<AgentTool | null> {
    return this.findOne({ id: toolId, agent: { id: agentId, user: ownerId } });
  }
}
