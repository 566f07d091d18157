import { EntityRepository } from '@mikro-orm/postgresql';
import type { AgentTool } from './agent-tool.entity.js';

export class AgentToolRepository extends EntityRepository<AgentTool> {
  /** All tools of one of the owner's agents, in the order they were added (the order Retell gets them in). */
  findAllForOwner(ownerId: number, agentId: number): Promise<AgentTool[]> {
    return this.find({ agent: { id: agentId, user: ownerId } }, { orderBy: { id: 'asc' } });
  }

  /** A page of the tools, oldest first (keyset on id). */
  findPageForOwner(ownerId: number, agentId: number, afterId: number | undefined, limit: number): Promise<AgentTool[]> {
    return this.find(
      { agent: { id: agentId, user: ownerId }, ...(afterId === undefined ? {} : { id: { $gt: afterId } }) },
      { orderBy: { id: 'asc' }, limit },
    );
  }

  findForOwner(ownerId: number, agentId: number, toolId: number): Promise<AgentTool | null> {
    return this.findOne({ id: toolId, agent: { id: agentId, user: ownerId } });
  }
}
