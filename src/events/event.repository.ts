import { EntityRepository } from '@mikro-orm/postgresql';
import { Keyset, type PageRequestOf } from '../common/pagination/keyset.js';
import type { Page } from '../common/pagination/page.dto.js';
import type { Event } from './event.entity.js';

/** Newest first over (user_id, id). */
export const EVENT_PAGES = new Keyset('desc', { id: { type: 'number' } });

export class EventRepository extends EntityRepository<Event> {
  findForOwner(ownerId: number, id: number): Promise<Event | null> {
    return this.findOne({ id, user: ownerId }, { populate: ['snapshot'] });
  }

  async findPageForOwner(ownerId: number, type: string | undefined, page: PageRequestOf<typeof EVENT_PAGES>): Promise<Page<Event>> {
    const rows = await this.find(
      { user: ownerId, ...(type !== undefined && { type: type as Event['type'] }), ...EVENT_PAGES.after(page) },
      { orderBy: EVENT_PAGES.orderBy, limit: EVENT_PAGES.fetchSize(page), populate: ['snapshot'] },
    );
    return EVENT_PAGES.page(rows, page);
  }
}
