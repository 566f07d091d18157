import { EntityRepository } from '@mikro-orm/postgresql';
import type { LlmConfiguration } from './llm-configuration.entity.js';

export class LlmConfigurationRepository extends EntityRepository<LlmConfiguration> {
  /** The configuration of one of the owner's agents. */
  findForOwner(ownerId: number, agentId: number): Promise<LlmConfiguration | null> {
    return this.findOne({ agent: { id: agentId, user: ownerId } });
  }

  /** The configuration with its agent, in one query (a join): GET /agents/:id needs both. */
  findWithAgentForOwner(ownerId: number, agentId: number): Promise<LlmConfiguration | null> {
    return this.findOne({ agent: { id: agentId, user: ownerId } }, { populate: ['agent'], strategy: 'joined' });
  }
}
