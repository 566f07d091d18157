import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiErrors, ApiRetellErrors } from '../common/openapi/api-errors.decorator.js';
import { type AuthPrincipal, CurrentUser } from '../common/auth/current-user.decorator.js';
import { IdempotencyService } from '../common/idempotency/idempotency.service.js';
import { ParseIdPipe } from '../common/pagination/parse-id.pipe.js';
import { CallsService } from './calls.service.js';
import {
  CallDetailResponseDto,
  CallListQueryDto,
  CallPageDto,
  CallResponseDto,
  CreateCallDto,
  CreateWebCallDto,
  IDEMPOTENCY_HEADER,
  WebCallResponseDto,
} from './dto/call.dto.js';

@ApiTags('calls')
@Controller()
export class CallsController {
  constructor(
    private readonly calls: CallsService,
    private readonly idempotency: IdempotencyService,
  ) {}

  /**
   * Place an outbound phone call with the agent. Send an `Idempotency-Key` so a retry never dials twice: the same key
   * and body return the first response (with `Idempotent-Replayed: true`); the same key with another body is a 422.
   */
  @Post('agents/:agentId/calls')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Up to 255 visible ASCII characters; kept 24 hours.' })
  @ApiCreatedResponse({ type: CallResponseDto })
  @ApiErrors(404, {
    409: 'No active number, inactive agent, or the same Idempotency-Key still in flight.',
    422: 'Idempotency-Key reused with a different request.',
    429: 'Per-minute call cap reached; retry after `retryAfterSeconds`.',
  })
  @ApiRetellErrors()
  async placeCall(
    @CurrentUser() caller: AuthPrincipal,
    @Param('agentId', ParseIdPipe) agentId: number,
    @Body() dto: CreateCallDto,
    @Headers(IDEMPOTENCY_HEADER) idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CallResponseDto> {
    const result = await this.idempotency.run(caller.userId, idempotencyKey, { route: 'place-call', agentId, dto }, async () =>
      CallResponseDto.fromEntity(await this.calls.placeCall(caller.userId, agentId, dto)),
    );
    if (result.replayed) reply.header('idempotent-replayed', 'true');
    return result.body;
  }

  /** Start a web call: returns the access token for Retell's browser client. */
  @Post('agents/:agentId/web-calls')
  @ApiCreatedResponse({ type: WebCallResponseDto })
  @ApiErrors(404, { 409: 'The agent is inactive.', 429: 'Per-minute web call cap reached; retry after `retryAfterSeconds`.' })
  @ApiRetellErrors()
  async createWebCall(@CurrentUser() caller: AuthPrincipal, @Param('agentId', ParseIdPipe) agentId: number, @Body() dto: CreateWebCallDto): Promise<WebCallResponseDto> {
    const { call, accessToken } = await this.calls.createWebCall(caller.userId, agentId, dto);
    return { call: CallResponseDto.fromEntity(call), accessToken };
  }

  /** Your call history, newest first, filtered by agent, status, direction and creation time. */
  @Get('calls')
  @ApiOkResponse({ type: CallPageDto })
  list(@CurrentUser() caller: AuthPrincipal, @Query() query: CallListQueryDto): Promise<CallPageDto> {
    return this.calls.list(caller.userId, query);
  }

  /** One call with its transcript, analysis, recording and cost. */
  @Get('calls/:id')
  @ApiOkResponse({ type: CallDetailResponseDto })
  @ApiErrors(404)
  async get(@CurrentUser() caller: AuthPrincipal, @Param('id', ParseIdPipe) id: number): Promise<CallDetailResponseDto> {
    return CallDetailResponseDto.fromEntity(await this.calls.get(caller.userId, id));
  }

  /** Pull the call's current state from Retell. */
  @Post('calls/:id/refresh')
  @HttpCode(200)
  @ApiOkResponse({ type: CallDetailResponseDto })
  @ApiErrors(404)
  @ApiRetellErrors()
  async refresh(@CurrentUser() caller: AuthPrincipal, @Param('id', ParseIdPipe) id: number): Promise<CallDetailResponseDto> {
    return CallDetailResponseDto.fromEntity(await this.calls.refresh(caller.userId, id));
  }
}
