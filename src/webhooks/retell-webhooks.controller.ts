import { Controller, Headers, HttpCode, Post, Req, type RawBodyRequest } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNoContentResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '../common/auth/public.decorator.js';
import { ErrorEnvelopeDto } from '../common/errors/error-envelope.dto.js';
import { RetellWebhooksService } from './retell-webhooks.service.js';

@ApiTags('webhooks')
@Controller('webhooks')
export class RetellWebhooksController {
  constructor(private readonly webhooks: RetellWebhooksService) {}

  /**
   * Where Retell posts call events (agents' webhook_url). Public, but every request must carry a valid
   * `x-retell-signature` over its raw body. Answers 204 fast; duplicates and late events are accepted and change nothing.
   */
  @Post('retell')
  @Public()
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiUnauthorizedResponse({ type: ErrorEnvelopeDto })
  @ApiBadRequestResponse({ type: ErrorEnvelopeDto })
  async receive(@Req() request: RawBodyRequest<FastifyRequest>, @Headers('x-retell-signature') signature: string | undefined): Promise<void> {
    await this.webhooks.verify(request.rawBody, signature);
    await this.webhooks.ingest(request.body, request.rawBody!);
  }
}
