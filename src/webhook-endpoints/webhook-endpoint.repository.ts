import { EntityRepository } from '@mikro-orm/postgresql';
import { Keyset, type PageRequestOf } from '../common/pagination/keyset.js';
import type { Page } from '../common/pagination/page.dto.js';
import type { WebhookDeliveryResponseDto } from './dto/webhook-endpoint.dto.js';
import { Event } from '../events/event.entity.js';
import { WebhookDelivery } from './webhook-delivery.entity.js';
import type { WebhookEndpoint } from './webhook-endpoint.entity.js';

/** Endpoints and deliveries: newest first by id. */
export const ENDPOINT_PAGES = new Keyset('desc', { id: { type: 'number' } });
export const DELIVERY_PAGES = new Keyset('desc', { id: { type: 'number' } });

export class WebhookEndpointRepository extends EntityRepository<WebhookEndpoint> {
  findForOwner(ownerId: number, id: number): Promise<WebhookEndpoint | null> {
    return this.findOne({ id, user: ownerId });
  }

  async findPageForOwner(ownerId: number, page: PageRequestOf<typeof ENDPOINT_PAGES>): Promise<Page<WebhookEndpoint>> {
    const rows = await this.find({ user: ownerId, ...ENDPOINT_PAGES.after(page) }, { orderBy: ENDPOINT_PAGES.orderBy, limit: ENDPOINT_PAGES.fetchSize(page) });
    return ENDPOINT_PAGES.page(rows, page);
  }

  /** The caller's agent ids among `ids` (to refuse another tenant's). */
  async ownedAgentIds(ownerId: number, ids: number[]): Promise<Set<number>> {
    const rows = await this.em.execute<{ id: number }[]>('select id from agents where user_id = ? and id = any(?::int[])', [ownerId, `{${ids.join(',')}}`]);
    return new Set(rows.map((row) => row.id));
  }

  /** An endpoint's deliveries, newest first, with their event's type (two queries, no event data loaded). */
  async findDeliveriesPage(ownerId: number, endpointId: number, page: PageRequestOf<typeof DELIVERY_PAGES>): Promise<Page<WebhookDeliveryResponseDto>> {
    const deliveries = await this.em.find(
      WebhookDelivery,
      { user: ownerId, endpoint: endpointId, ...DELIVERY_PAGES.after(page) },
      { orderBy: DELIVERY_PAGES.orderBy, limit: DELIVERY_PAGES.fetchSize(page) },
    );
    const events = deliveries.length
      ? await this.em.find(Event, { id: { $in: deliveries.map((d) => d.event.id) } }, { fields: ['id', 'type'] })
      : [];
    const types = new Map(events.map((event) => [event.id, event.type]));
    const rows = deliveries.map((delivery) => ({
      id: delivery.id,
      eventId: delivery.event.id,
      eventType: types.get(delivery.event.id) ?? 'unknown',
      status: delivery.status,
      attempts: delivery.attempts,
      lastStatusCode: delivery.lastStatusCode ?? null,
      lastError: delivery.lastError ?? null,
      lastDurationMs: delivery.lastDurationMs ?? null,
      lastAttemptAt: delivery.lastAttemptAt ?? null,
      nextAttemptAt: delivery.nextAttemptAt ?? null,
      createdAt: delivery.createdAt,
    }));
    return DELIVERY_PAGES.page(rows, page);
  }
}
