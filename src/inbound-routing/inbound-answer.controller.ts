import { Controller, Headers, HttpCode, Logger, Post, Req, type RawBodyRequest } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '../common/auth/public.decorator.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { RetellWebhooksService } from '../webhooks/retell-webhooks.service.js';
import { InboundAnswerService } from './inbound-answer.service.js';
import { INBOUND_WEBHOOK_PATH } from './inbound-url.js';

export class CallInboundAnswerBodyDto {
  /** The Retell agent that takes the call; absent: the call is refused (routed numbers bind no inbound agent). @example "agent_8c3f2a9b1d4e5f60718293a4" */
  override_agent_id?: string;
  /** The call's prompt variables: the caller's contact (`contact_name` and its own variables), then the tenant's. @example {"contact_name":"Ada Lovelace"} */
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { contact_name: 'Ada Lovelace' } })
  dynamic_variables?: Record<string, string>;
  /** What the call carries back in its webhooks: our ids and the routing's choice. @example {"app":{"user_id":1,"agent_id":12,"phone_number_id":3,"contact_id":40,"routing":"in_hours"}} */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { app: { user_id: 1, agent_id: 12, phone_number_id: 3, contact_id: 40, routing: 'in_hours' } } })
  metadata?: Record<string, unknown>;
}

export class CallInboundAnswerDto {
  @ApiProperty({ type: CallInboundAnswerBodyDto })
  call_inbound: CallInboundAnswerBodyDto;
}

@ApiTags('webhooks')
@Controller()
export class InboundAnswerController {
  private readonly logger = new Logger('InboundRouting');

  constructor(
    private readonly webhooks: RetellWebhooksService,
    private readonly answers: InboundAnswerService,
  ) {}

  /**
   * Where Retell asks, for each inbound call to a routed number, which agent answers (`call_inbound`, the number's
   * `inbound_webhook_url`). Public, but every request must carry a valid `x-retell-signature` over its raw body.
   */
  @Post(INBOUND_WEBHOOK_PATH.slice(1))
  @Public()
  @HttpCode(200)
  @ApiBody({
    description: "Retell's inbound-call webhook, as Retell sends it.",
    schema: {
      type: 'object',
      required: ['event', 'call_inbound'],
      properties: {
        event: { type: 'string', enum: ['call_inbound'], example: 'call_inbound' },
        call_inbound: {
          type: 'object',
          required: ['from_number', 'to_number'],
          additionalProperties: true,
          properties: {
            from_number: { type: 'string', example: '+12125550123' },
            to_number: { type: 'string', example: '+14155550123' },
            agent_id: { type: 'string', example: 'agent_8c3f2a9b1d4e5f60718293a4' },
            call_id: { type: 'string', maxLength: 100, example: 'call_4f1e2d3c' },
          },
        },
      },
    },
  })
  @ApiOkResponse({ type: CallInboundAnswerDto, description: 'The agent for the call, or `{ "call_inbound": {} }` to refuse it.' })
  @ApiErrors({ 400: 'The body is not a call_inbound event.', 401: 'Missing or invalid `x-retell-signature`.' })
  async answer(@Req() request: RawBodyRequest<FastifyRequest>, @Headers('x-retell-signature') signature: string | undefined): Promise<CallInboundAnswerDto> {
    await this.webhooks.verify(request.rawBody, signature);
    const started = performance.now();
    const decision = await this.answers.answer(request.body);
    const { call_inbound } = decision.answer;
    this.logger.log({
      msg: `call_inbound: ${call_inbound.override_agent_id ? 'answered' : 'refused'} (${decision.reason})`,
      reason: decision.reason,
      tenant: decision.tenant,
      contactId: (call_inbound.metadata?.app as { contact_id?: number } | undefined)?.contact_id ?? null,
      durationMs: Math.round(performance.now() - started),
    });
    return decision.answer;
  }
}
