import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { type AuthPrincipal, CurrentUser } from '../common/auth/current-user.decorator.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { PageQueryDto } from '../common/pagination/page.dto.js';
import { ParseIdPipe } from '../common/pagination/parse-id.pipe.js';
import { EventResponseDto } from '../events/dto/event.dto.js';
import {
  CreateWebhookEndpointDto,
  UpdateWebhookEndpointDto,
  WebhookDeliveryPageDto,
  WebhookDeliveryResponseDto,
  WebhookEndpointPageDto,
  WebhookEndpointResponseDto,
  WebhookEndpointWithSecretResponseDto,
} from './dto/webhook-endpoint.dto.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';

@ApiTags('webhook-endpoints')
@Controller('webhook-endpoints')
export class WebhookEndpointsController {
  constructor(private readonly endpoints: WebhookEndpointsService) {}

  /** Register a URL that receives your events, signed per Standard Webhooks. The secret is in this response only. */
  @Post()
  @ApiCreatedResponse({ type: WebhookEndpointWithSecretResponseDto })
  create(@CurrentUser() caller: AuthPrincipal, @Body() dto: CreateWebhookEndpointDto): Promise<WebhookEndpointWithSecretResponseDto> {
    return this.endpoints.create(caller.userId, dto);
  }

  /** Your endpoints, newest first; never the secrets. */
  @Get()
  @ApiOkResponse({ type: WebhookEndpointPageDto })
  list(@CurrentUser() caller: AuthPrincipal, @Query() page: PageQueryDto): Promise<WebhookEndpointPageDto> {
    return this.endpoints.list(caller.userId, page.limit, page.cursor);
  }

  /** One of your endpoints; never its secret. */
  @Get(':id')
  @ApiOkResponse({ type: WebhookEndpointResponseDto })
  @ApiErrors(404)
  async get(@CurrentUser() caller: AuthPrincipal, @Param('id', ParseIdPipe) id: number): Promise<WebhookEndpointResponseDto> {
    return WebhookEndpointResponseDto.fromEntity(await this.endpoints.get(caller.userId, id));
  }

  /** Change the URL, description, filters or `isActive`. */
  @Patch(':id')
  @ApiOkResponse({ type: WebhookEndpointResponseDto })
  @ApiErrors(404)
  async update(
    @CurrentUser() caller: AuthPrincipal,
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: UpdateWebhookEndpointDto,
  ): Promise<WebhookEndpointResponseDto> {
    return WebhookEndpointResponseDto.fromEntity(await this.endpoints.update(caller.userId, id, dto));
  }

  /** Stop sending to it; its pending deliveries are dropped. */
  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiErrors(404)
  async remove(@CurrentUser() caller: AuthPrincipal, @Param('id', ParseIdPipe) id: number): Promise<void> {
    await this.endpoints.remove(caller.userId, id);
  }

  /** A new secret, shown once. For 24 hours deliveries carry a signature by the old secret too. */
  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOkResponse({ type: WebhookEndpointWithSecretResponseDto })
  @ApiErrors(404)
  rotateSecret(@CurrentUser() caller: AuthPrincipal, @Param('id', ParseIdPipe) id: number): Promise<WebhookEndpointWithSecretResponseDto> {
    return this.endpoints.rotateSecret(caller.userId, id);
  }

  /** Send a `ping` event to this endpoint (see its deliveries for the outcome). */
  @Post(':id/test')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: EventResponseDto, description: 'The ping event, queued for this endpoint.' })
  @ApiErrors(404, { 409: 'The endpoint is inactive.' })
  test(@CurrentUser() caller: AuthPrincipal, @Param('id', ParseIdPipe) id: number): Promise<EventResponseDto> {
    return this.endpoints.test(caller.userId, id);
  }

  /** What was sent to this endpoint, newest first: status, attempts, last outcome and next attempt. */
  @Get(':id/deliveries')
  @ApiOkResponse({ type: WebhookDeliveryPageDto })
  @ApiErrors(404)
  deliveries(@CurrentUser() caller: AuthPrincipal, @Param('id', ParseIdPipe) id: number, @Query() page: PageQueryDto): Promise<WebhookDeliveryPageDto> {
    return this.endpoints.deliveries(caller.userId, id, page.limit, page.cursor);
  }

  /** Send a delivery again now, whatever its status (one more attempt). */
  @Post(':id/deliveries/:deliveryId/retry')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: WebhookDeliveryResponseDto, description: 'Queued: the delivery is pending and due now.' })
  @ApiErrors(404, { 409: 'The delivery is being attempted right now, or the endpoint is inactive.' })
  retry(
    @CurrentUser() caller: AuthPrincipal,
    @Param('id', ParseIdPipe) id: number,
    @Param('deliveryId', ParseIdPipe) deliveryId: number,
  ): Promise<WebhookDeliveryResponseDto> {
    return this.endpoints.retryDelivery(caller.userId, id, deliveryId);
  }
}
