import { EntityRepository } from '@mikro-orm/postgresql';
import type { Event } from './event.entity.js';

export class EventRepository extends EntityRepository<Event> {
  findForOwner(ownerId: number, id: number): Promise<Event | null> {
    return this.findOne({ id, user: ownerId }, { populate: ['snapshot'] });
  }

  /** Newest first over (user_id, id). */
  findPageForOwner(ownerId: number, type: string | undefined, afterId: number | undefined, limit: number): Promise<Event[]> {
    return this.find(
      { user: ownerId, ...(type !== undefined && { type: type as Event['type'] }), ...(afterId !== undefined && { id: { $lt: afterId } }) },
      { orderBy: { id: 'desc' }, limit, populate: ['snapshot'] },
    );
  }
}
