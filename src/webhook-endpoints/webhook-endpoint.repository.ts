import { EntityRepository } from '@mikro-orm/postgresql';
import type { WebhookDeliveryResponseDto } from './dto/webhook-endpoint.dto.js';
import { Event } from '../events/event.entity.js';
import { WebhookDelivery } from './webhook-delivery.entity.js';
import type { WebhookEndpoint } from './webhook-endpoint.entity.js';

export class WebhookEndpointRepository extends EntityRepository<WebhookEndpoint> {
  findForOwner(ownerId: number, id: number): Promise<WebhookEndpoint | null> {
    return this.findOne({ id, user: ownerId });
  }

  findPageForOwner(ownerId: number, afterId: number | undefined, limit: number): Promise<WebhookEndpoint[]> {
    return this.find({ user: ownerId, ...(afterId !== undefined && { id: { $lt: afterId } }) }, { orderBy: { id: 'desc' }, limit });
  }

  /** The caller's agent ids among `ids` (to refuse another tenant's). */
  async ownedAgentIds(ownerId: number, ids: number[]): Promise<Set<number>> {
    const rows = await this.em.execute<{ id: number }[]>('select id from agents where user_id = ? and id = any(?::int[])', [ownerId, `{${ids.join(',')}}`]);
    return new Set(rows.map((row) => row.id));
  }

  /** An endpoint's deliveries, newest first, with their event's type (two queries, no event data loaded). */
  async findDeliveriesPage(ownerId: number, endpointId: number, afterId: number | undefined, limit: number): Promise<WebhookDeliveryResponseDto[]> {
    const deliveries = await this.em.find(
      WebhookDelivery,
      { user: ownerId, endpoint: endpointId, ...(afterId !== undefined && { id: { $lt: afterId } }) },
      { orderBy: { id: 'desc' }, limit },
    );
    const events = deliveries.length
      ? await this.em.find(Event, { id: { $in: deliveries.map((d) => d.event.id) } }, { fields: ['id', 'type'] })
      : [];
    const types = new Map(events.map((event) => [event.id, event.type]));
    return deliveries.map((delivery) => ({
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
  }
}
