import { EntityRepository, type FilterQuery } from '@mikro-orm/postgresql';
import { Keyset, type PageRequestOf } from '../common/pagination/keyset.js';
import type { Page } from '../common/pagination/page.dto.js';
import type { PhoneNumber } from './phone-number.entity.js';

/** Newest first. */
export const PHONE_NUMBER_PAGES = new Keyset('desc', { id: { type: 'number' } });

export class PhoneNumberRepository extends EntityRepository<PhoneNumber> {
  findForOwner(ownerId: number, id: number): Promise<PhoneNumber | null> {
    return this.findOne({ id, agent: { user: ownerId } }, { populate: ['agent'] });
  }

  /** The row as it is now in the database, with its agent: for changes under the number's edit lease. */
  findFreshForOwner(ownerId: number, id: number): Promise<PhoneNumber | null> {
    return this.findOne({ id, agent: { user: ownerId } }, { populate: ['agent'], refresh: true });
  }

  async findPageForOwner(ownerId: number, agentId: number | undefined, page: PageRequestOf<typeof PHONE_NUMBER_PAGES>): Promise<Page<PhoneNumber>> {
    const where: FilterQuery<PhoneNumber> = { agent: { user: ownerId, ...(agentId !== undefined && { id: agentId }) } };
    const rows = await this.find({ ...where, ...PHONE_NUMBER_PAGES.after(page) }, {
      orderBy: PHONE_NUMBER_PAGES.orderBy,
      limit: PHONE_NUMBER_PAGES.fetchSize(page),
      populate: ['agent'],
    });
    return PHONE_NUMBER_PAGES.page(rows, page);
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
