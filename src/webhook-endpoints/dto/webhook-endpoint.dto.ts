import { PartialType } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { PageOf } from '../../common/pagination/page.dto.js';
import { EVENT_TYPES } from '../../events/event.entity.js';
import type { DeliveryStatus } from '../webhook-delivery.entity.js';
import type { WebhookEndpoint } from '../webhook-endpoint.entity.js';
import { ApiSchemaExample } from '../../common/openapi/schema-example.js';

/** What an endpoint can subscribe to; `ping` is sent only on request (POST /webhook-endpoints/:id/test). */
export const SUBSCRIBABLE_EVENT_TYPES = EVENT_TYPES.filter((type) => type !== 'ping');

// agentIds must name the caller's own agents: the whole-body example leaves them out.
@ApiSchemaExample({ url: 'https://crm.example.com/hooks/retell-agents', description: 'CRM sync', eventTypes: ['call.ended', 'call.analyzed'] })
export class CreateWebhookEndpointDto {
  /** Where we POST your events: https on a public host. @example "https://crm.example.com/hooks/retell-agents" */
  @IsString()
  @MaxLength(2048)
  url: string;

  /** @example "CRM sync" */
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string | null;

  /** Only these event types; omitted or null: all of them. @example ["call.ended","call.analyzed"] */
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(SUBSCRIBABLE_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(SUBSCRIBABLE_EVENT_TYPES, { each: true })
  eventTypes?: string[] | null;

  /** Only events about these agents of yours; omitted or null: all your agents. @example [7] */
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ArrayUnique()
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(2_147_483_647, { each: true })
  agentIds?: number[] | null;
}

@ApiSchemaExample({ description: 'CRM sync (all call events)', eventTypes: ['call.started', 'call.ended', 'call.analyzed'], isActive: true })
export class UpdateWebhookEndpointDto extends PartialType(CreateWebhookEndpointDto) {
  /** False stops deliveries; true turns an endpoint we disabled back on (and clears `disabledReason`). @example true */
  @IsOptional()
  @IsBoolean()
  isActive?: boolean;
}

export class WebhookEndpointResponseDto {
  /** @example 3 */
  id: number;
  /** @example "https://crm.example.com/hooks/retell-agents" */
  url: string;
  /** @example "CRM sync" */
  description: string | null;
  /** null: every event type. @example ["call.ended","call.analyzed"] */
  eventTypes: string[] | null;
  /** null: all your agents. @example [7] */
  agentIds: number[] | null;
  /** @example true */
  isActive: boolean;
  /** Why we turned it off, e.g. every delivery failed for 5 days; null otherwise. @example null */
  disabledReason: string | null;
  /** Since when every delivery has failed; null when the last one succeeded. */
  failingSince: Date | null;
  /** After a rotation: until when the previous secret still signs too. */
  previousSecretExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;

  static fromEntity(endpoint: WebhookEndpoint): WebhookEndpointResponseDto {
    return {
      id: endpoint.id,
      url: endpoint.url,
      description: endpoint.description ?? null,
      eventTypes: endpoint.eventTypes ?? null,
      agentIds: endpoint.agentIds ?? null,
      isActive: endpoint.isActive,
      disabledReason: endpoint.disabledReason ?? null,
      failingSince: endpoint.failingSince ?? null,
      previousSecretExpiresAt: endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > new Date() ? endpoint.previousSecretExpiresAt : null,
      createdAt: endpoint.createdAt,
      updatedAt: endpoint.updatedAt,
    };
  }
}

/** Returned at creation and rotation only: the only times the secret is shown. */
export class WebhookEndpointWithSecretResponseDto extends WebhookEndpointResponseDto {
  /** Verify deliveries with it (Standard Webhooks); it cannot be shown again. @example "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" */
  secret: string;
}

export class WebhookEndpointPageDto extends PageOf(WebhookEndpointResponseDto) {}

export class WebhookDeliveryResponseDto {
  /** @example 981 */
  id: number;
  /** The event delivered (GET /events/:id); also its `webhook-id`. @example 1042 */
  eventId: number;
  /** @example "call.ended" */
  eventType: string;
  /** pending (being tried), succeeded, or failed (no attempts left; retry it by hand). @example "succeeded" */
  status: DeliveryStatus;
  /** @example 1 */
  attempts: number;
  /** The HTTP status of the last attempt; null when it got no response. @example 200 */
  lastStatusCode: number | null;
  /** Why the last attempt failed. @example null */
  lastError: string | null;
  /** How long the last attempt took. @example 84 */
  lastDurationMs: number | null;
  lastAttemptAt: Date | null;
  /** When the next attempt is due; null once succeeded or out of attempts. */
  nextAttemptAt: Date | null;
  createdAt: Date;
}

export class WebhookDeliveryPageDto extends PageOf(WebhookDeliveryResponseDto) {}
