import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { EntityManager } from '@mikro-orm/postgresql';
import { ApiException, ResourceNotFoundException, ValidationFailedException } from '../common/errors/app-exceptions.js';
import { mapPage, type Page } from '../common/pagination/page.dto.js';
import { publicUrlProblem } from '../common/urls/public-url.js';
import { webhooksConfig } from '../config/jobs.config.js';
import type { EventResponseDto } from '../events/dto/event.dto.js';
import { EventsService } from '../events/events.service.js';
import { JobsService } from '../jobs/jobs.service.js';
import { User } from '../users/user.entity.js';
import {
  WebhookEndpointResponseDto,
  type CreateWebhookEndpointDto,
  type UpdateWebhookEndpointDto,
  type WebhookDeliveryResponseDto,
  type WebhookEndpointWithSecretResponseDto,
} from './dto/webhook-endpoint.dto.js';
import { WebhookDelivery } from './webhook-delivery.entity.js';
import { DELIVERIES_DUE_CHANNEL } from './webhook-delivery.worker.js';
import { WebhookEndpoint } from './webhook-endpoint.entity.js';
import { DELIVERY_PAGES, ENDPOINT_PAGES, WebhookEndpointRepository } from './webhook-endpoint.repository.js';
import { newSigningSecret } from './webhook-secrets.js';
import { WebhookSigner } from './webhook-signer.js';

@Injectable()
export class WebhookEndpointsService {
  constructor(
    private readonly endpoints: WebhookEndpointRepository,
    private readonly em: EntityManager,
    private readonly events: EventsService,
    private readonly jobs: JobsService,
    private readonly signer: WebhookSigner,
    @Inject(webhooksConfig.KEY) private readonly config: ConfigType<typeof webhooksConfig>,
  ) {}

  async create(ownerId: number, dto: CreateWebhookEndpointDto): Promise<WebhookEndpointWithSecretResponseDto> {
    this.checkUrl(dto.url);
    await this.checkAgents(ownerId, dto.agentIds);
    const secret = newSigningSecret();
    const endpoint = this.em.create(WebhookEndpoint, {
      user: this.em.getReference(User, ownerId),
      url: dto.url,
      description: dto.description ?? null,
      eventTypes: dto.eventTypes ?? null,
      agentIds: dto.agentIds ?? null,
      secretCiphertext: this.signer.seal(secret),
    });
    await this.em.persist(endpoint).flush();
    return { ...WebhookEndpointResponseDto.fromEntity(endpoint), secret };
  }

  async list(ownerId: number, limit: number, cursor?: string): Promise<Page<WebhookEndpointResponseDto>> {
    const page = await this.endpoints.findPageForOwner(ownerId, ENDPOINT_PAGES.request(limit, cursor));
    return mapPage(page, WebhookEndpointResponseDto.fromEntity);
  }

  async get(ownerId: number, id: number): Promise<WebhookEndpoint> {
    const endpoint = await this.endpoints.findForOwner(ownerId, id);
    if (!endpoint) throw new ResourceNotFoundException('Webhook endpoint');
    return endpoint;
  }

  async update(ownerId: number, id: number, dto: UpdateWebhookEndpointDto): Promise<WebhookEndpoint> {
    const endpoint = await this.get(ownerId, id);
    if (dto.url !== undefined) {
      this.checkUrl(dto.url);
      endpoint.url = dto.url;
    }
    if (dto.agentIds !== undefined) {
      await this.checkAgents(ownerId, dto.agentIds);
      endpoint.agentIds = dto.agentIds;
    }
    if (dto.description !== undefined) endpoint.description = dto.description;
    if (dto.eventTypes !== undefined) endpoint.eventTypes = dto.eventTypes;
    if (dto.isActive !== undefined) {
      endpoint.isActive = dto.isActive;
      // Turned on again by its owner: the failure streak that disabled it starts over.
      if (dto.isActive) Object.assign(endpoint, { disabledReason: null, failingSince: null });
    }
    await this.em.flush();
    return endpoint;
  }

  /**
   * Deliveries first, then the endpoint, in one transaction: the lock order of the delivery worker (a delivery's row,
   * then its endpoint's). Deleting the endpoint first (its cascade then takes the deliveries) deadlocked with a worker
   * recording an attempt (40P01, found by the OpenAPI examples journey).
   */
  async remove(ownerId: number, id: number): Promise<void> {
    const endpoint = await this.get(ownerId, id);
    await this.em.transactional(async (em) => {
      await em.nativeDelete(WebhookDelivery, { endpoint: endpoint.id });
      await em.nativeDelete(WebhookEndpoint, { id: endpoint.id, user: ownerId });
    });
  }

  /** A new secret; the previous one keeps signing (a second signature) for the overlap, so receivers can switch over. */
  async rotateSecret(ownerId: number, id: number): Promise<WebhookEndpointWithSecretResponseDto> {
    const endpoint = await this.em.findOneOrFail(WebhookEndpoint, { id, user: ownerId }, {
      populate: ['secretCiphertext'],
      failHandler: () => new ResourceNotFoundException('Webhook endpoint'),
    });
    const secret = newSigningSecret();
    endpoint.previousSecretCiphertext = endpoint.secretCiphertext;
    endpoint.previousSecretExpiresAt = new Date(Date.now() + this.config.rotationOverlapSeconds * 1000);
    endpoint.secretCiphertext = this.signer.seal(secret);
    await this.em.flush();
    return { ...WebhookEndpointResponseDto.fromEntity(endpoint), secret };
  }

  /** A `ping` event for this endpoint only, through the same outbox and delivery path as every other event. */
  async test(ownerId: number, id: number): Promise<EventResponseDto> {
    const endpoint = await this.get(ownerId, id);
    if (!endpoint.isActive) throw new ApiException(409, 'The endpoint is inactive; activate it first');
    const eventId = await this.events.record(this.em, ownerId, 'ping', { webhookEndpointId: endpoint.id, message: 'Hello from Retell Agents' }, { endpointId: endpoint.id });
    return this.events.get(ownerId, eventId);
  }

  async deliveries(ownerId: number, id: number, limit: number, cursor?: string): Promise<Page<WebhookDeliveryResponseDto>> {
    await this.get(ownerId, id);
    return this.endpoints.findDeliveriesPage(ownerId, id, DELIVERY_PAGES.request(limit, cursor));
  }

  /**
   * Sends a delivery again now: it becomes pending and due, and the worker instances are told in the same transaction
   * (a NOTIFY, sent at commit; without it they find the delivery at their next interval). One in flight (claimed by
   * a worker) is a 409; a delivery of an inactive endpoint too.
   */
  async retryDelivery(ownerId: number, endpointId: number, deliveryId: number): Promise<WebhookDeliveryResponseDto> {
    const endpoint = await this.get(ownerId, endpointId);
    if (!endpoint.isActive) throw new ApiException(409, 'The endpoint is inactive; activate it first');
    // The answer is the delivery as queued, read in the transaction that queues it: a worker may take it and finish
    // it the moment it commits, before a later read.
    const queued = await this.jobs.transaction(async (db) => {
      const time = (column: string) => `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
      const { rows } = await db.executeSql(
        `update webhook_deliveries d set status = 'pending', next_attempt_at = now(), updated_at = now()
           from events e
          where d.id = $1 and d.endpoint_id = $2 and d.user_id = $3 and e.id = d.event_id
            and (d.claimed_until is null or d.claimed_until < now())
          returning d.id, d.event_id, e.type, d.status, d.attempts, d.last_status_code, d.last_error, d.last_duration_ms,
                    ${time('d.last_attempt_at')} as last_attempt_at, ${time('d.next_attempt_at')} as next_attempt_at,
                    ${time('d.created_at')} as created_at`,
        [deliveryId, endpointId, ownerId],
      );
      if (rows.length === 0) return undefined;
      await db.executeSql("select pg_notify($1, '')", [DELIVERIES_DUE_CHANNEL]);
      return rows[0] as Record<string, unknown>;
    });
    if (!queued) {
      const exists = await this.em.execute<{ id: number }[]>('select id from webhook_deliveries where id = ? and endpoint_id = ? and user_id = ?', [
        deliveryId,
        endpointId,
        ownerId,
      ]);
      if (exists.length === 0) throw new ResourceNotFoundException('Delivery');
      throw new ApiException(409, 'The delivery is being attempted right now; look again in a moment');
    }
    const date = (value: unknown) => (value === null || value === undefined ? null : new Date(String(value)));
    return {
      id: Number(queued.id),
      eventId: Number(queued.event_id),
      eventType: String(queued.type),
      status: queued.status as WebhookDeliveryResponseDto['status'],
      attempts: Number(queued.attempts),
      lastStatusCode: queued.last_status_code === null ? null : Number(queued.last_status_code),
      lastError: (queued.last_error as string | null) ?? null,
      lastDurationMs: queued.last_duration_ms === null ? null : Number(queued.last_duration_ms),
      lastAttemptAt: date(queued.last_attempt_at),
      nextAttemptAt: date(queued.next_attempt_at),
      createdAt: date(queued.created_at)!,
    };
  }

  private checkUrl(url: string): void {
    const problem = publicUrlProblem(url, { allowPrivate: this.config.allowPrivate });
    if (problem) throw new ValidationFailedException([{ field: 'url', messages: [`url ${problem}`] }]);
  }

  /** Another tenant's agent id is refused like a missing one, naming no owner. */
  private async checkAgents(ownerId: number, agentIds: number[] | null | undefined): Promise<void> {
    if (!agentIds || agentIds.length === 0) return;
    const owned = await this.endpoints.ownedAgentIds(ownerId, agentIds);
    const unknown = agentIds.filter((id) => !owned.has(id));
    if (unknown.length > 0) throw new ValidationFailedException([{ field: 'agentIds', messages: [`no such agent: ${unknown.join(', ')}`] }]);
  }
}
