import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiRetellErrors } from '../common/openapi/api-errors.decorator.js';
import { type AuthPrincipal, CurrentUser } from '../common/auth/current-user.decorator.js';
import { Idempotent } from '../common/idempotency/idempotent.decorator.js';
import { mapPage } from '../common/pagination/page.dto.js';
import { ParseIdPipe } from '../common/pagination/parse-id.pipe.js';
import { CallsService } from './calls.service.js';
import {
  CallDetailResponseDto,
  CallListQueryDto,
  CallPageDto,
  CallResponseDto,
  CreateCallDto,
  CreateWebCallDto,
  WebCallResponseDto,
} from './dto/call.dto.js';

/** The 429s of a call create, told apart by `code`; nothing is dialled for any of them. */
const CALL_REFUSALS = (what: string) =>
  `Nothing was dialled; retry after \`retryAfterSeconds\` (also the \`retry-after\` header). No \`code\`: the per-minute ${what} cap. ` +
  '`code: user_concurrency`: you have `CALL_CONCURRENCY_PER_USER` calls in progress. ' +
  '`code: workspace_concurrency`: the shared Retell workspace is at its concurrency limit. ' +
  "`code: minutes_cap`: this month's call minutes (`CALL_MINUTES_PER_MONTH_PER_USER`, UTC calendar month) are used up; `retryAfterSeconds` runs to the next month.";

@ApiTags('calls')
@Controller()
export class CallsController {
  constructor(private readonly calls: CallsService) {}

  /** Place an outbound phone call with the agent. Send an `Idempotency-Key` so a retry never dials twice. */
  @Post('agents/:agentId/calls')
  @Idempotent()
  @ApiCreatedResponse({ type: CallResponseDto })
  @ApiErrors(404, {
    409: 'No active number, or the agent is inactive.',
    429: CALL_REFUSALS('call'),
  })
  @ApiRetellErrors()
  async placeCall(@CurrentUser() caller: AuthPrincipal, @Param('agentId', ParseIdPipe) agentId: number, @Body() dto: CreateCallDto): Promise<CallResponseDto> {
    return CallResponseDto.fromEntity(await this.calls.placeCall(caller.userId, agentId, dto));
  }

  /**
   * Start a web call: returns the access token for Retell's browser client. Send an `Idempotency-Key` so a retry
   * never starts a second call.
   */
  @Post('agents/:agentId/web-calls')
  @Idempotent()
  @ApiCreatedResponse({ type: WebCallResponseDto })
  @ApiErrors(404, { 409: 'The agent is inactive.', 429: CALL_REFUSALS('web call') })
  @ApiRetellErrors()
  async createWebCall(@CurrentUser() caller: AuthPrincipal, @Param('agentId', ParseIdPipe) agentId: number, @Body() dto: CreateWebCallDto): Promise<WebCallResponseDto> {
    const { call, accessToken } = await this.calls.createWebCall(caller.userId, agentId, dto);
    return { call: CallResponseDto.fromEntity(call), accessToken };
  }

  /** Your call history, newest first, filtered by agent, status, direction and creation time. */
  @Get('calls')
  @ApiOkResponse({ type: CallPageDto })
  async list(@CurrentUser() caller: AuthPrincipal, @Query() query: CallListQueryDto): Promise<CallPageDto> {
    return mapPage(await this.calls.list(caller.userId, query), CallResponseDto.fromEntity);
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
