import { EntityRepository, type FilterQuery } from '@mikro-orm/postgresql';
import type { PhoneNumber } from './phone-number.entity.js';

export class PhoneNumberRepository extends EntityRepository<PhoneNumber> {
  findForOwner(ownerId: number, id: number): Promise<PhoneNumber | null> {
    return this.findOne({ id, agent: { user: ownerId } }, { populate: ['agent'] });
  }

  /** The row as it is now in the database, with its agent: for changes under the number's edit lease. */
  findFreshForOwner(ownerId: number, id: number): Promise<PhoneNumber | null> {
    return this.findOne({ id, agent: { user: ownerId } }, { populate: ['agent'], refresh: true });
  }

  findPageForOwner(ownerId: number, agentId: number | undefined, afterId: number | undefined, limit: number): Promise<PhoneNumber[]> {
    const where: FilterQuery<PhoneNumber> = { agent: { user: ownerId, ...(agentId !== undefined && { id: agentId }) } };
    if (afterId !== undefined) where.id = { $lt: afterId };
    return this.find(where, { orderBy: { id: 'desc' }, limit, populate: ['agent'] });
  }

  /** The number an outbound call of this agent comes from when the caller names none: its oldest active one. */
  findDefaultForAgent(agentId: number): Promise<PhoneNumber | null> {
    return this.findOne({ agent: agentId, isActive: true }, { orderBy: { id: 'asc' } });
  }

  findActiveForOwnerByNumber(ownerId: number, phoneNumber: string): Promise<PhoneNumber | null> {
    return this.findOne({ phoneNumber, isActive: true, agent: { user: ownerId } });
  }

  findAllForAgent(agentId: number): Promise<PhoneNumber[]> {
    return this.find({ agent: agentId });
  }
}
