import { EntityRepository } from '@mikro-orm/postgresql';
import type { LlmConfiguration } from './llm-configuration.entity.js';

/** What a response shows of a configuration, as plain values: an entity is one, so is a row read without hydration. */
export type LlmConfigurationRow = Pick<
  LlmConfiguration,
  'model' | 's2sModel' | 'temperature' | 'highPriority' | 'generalPrompt' | 'beginMessage' | 'mcps' | 'createdAt' | 'updatedAt'
> & { agent: { id: number } };

export class LlmConfigurationRepository extends EntityRepository<LlmConfiguration> {
  /** The configuration of one of the owner's agents. */
  findForOwner(ownerId: number, agentId: number): Promise<LlmConfiguration | null> {
    return this.findOne({ agent: { id: agentId, user: ownerId } });
  }
}
