import { Controller, Headers, HttpCode, Logger, Post, Req, type RawBodyRequest } from '@nestjs/common';
import { ApiBody, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { Public } from '../common/auth/public.decorator.js';
import { RetellWebhooksService } from './retell-webhooks.service.js';

@ApiTags('webhooks')
@Controller('webhooks')
export class RetellWebhooksController {
  private readonly logger = new Logger('RetellWebhooks');

  constructor(private readonly webhooks: RetellWebhooksService) {}

  /**
   * Where Retell posts call events (agents' webhook_url). Public, but every request must carry a valid
   * `x-retell-signature` over its raw body. Answers 204 fast; duplicates and late events are accepted and change nothing.
   */
  @Post('retell')
  @Public()
  @HttpCode(204)
  // The handler reads the raw body (for the signature), so the plugin sees no @Body: the shape is stated here.
  @ApiBody({
    description: "A Retell call event, as Retell sends it; other fields of `call` are kept as received.",
    schema: {
      type: 'object',
      required: ['event'],
      properties: {
        event: { type: 'string', pattern: '^[a-z_]{1,50}$', example: 'call_ended', description: 'call_started, call_ended, call_analyzed, …' },
        call: {
          type: 'object',
          required: ['call_id'],
          additionalProperties: true,
          properties: { call_id: { type: 'string', maxLength: 100, example: 'call_4f1e2d3c' }, agent_id: { type: 'string', example: 'agent_8c3f2a9b1d4e5f60718293a4' } },
        },
      },
    },
  })
  @ApiNoContentResponse({ description: 'Accepted (including duplicates and late events).' })
  @ApiErrors({ 400: 'The body is not a Retell call event.', 401: 'Missing or invalid `x-retell-signature`.' })
  async receive(@Req() request: RawBodyRequest<FastifyRequest>, @Headers('x-retell-signature') signature: string | undefined): Promise<void> {
    await this.webhooks.verify(request.rawBody, signature);
    const outcome = await this.webhooks.ingest(request.body, request.rawBody!);
    // One line per event, so a call's progress can be followed in the log (ingest has checked the shape).
    const { event, call } = request.body as { event: string; call?: { call_id?: string } };
    this.logger.log({ msg: `Retell event ${event}: ${outcome}`, event, retellCallId: call?.call_id ?? null, outcome });
  }
}
