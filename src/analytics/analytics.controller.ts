import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { type AuthPrincipal, CurrentUser } from '../common/auth/current-user.decorator.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { AnalyticsService } from './analytics.service.js';
import { CallAnalyticsQueryDto, CallAnalyticsResponseDto } from './dto/analytics.dto.js';

@ApiTags('analytics')
@Controller('analytics')
export class AnalyticsController {
  constructor(private readonly analytics: AnalyticsService) {}

  /**
   * Call statistics per local day and/or agent, from rollups kept up to date as calls change (each call counted once,
   * in the day it started in `timezone`).
   */
  @Get('calls')
  @ApiOkResponse({ type: CallAnalyticsResponseDto })
  @ApiErrors({ 404: 'agentId is not one of your agents.' })
  calls(@CurrentUser() caller: AuthPrincipal, @Query() query: CallAnalyticsQueryDto): Promise<CallAnalyticsResponseDto> {
    return this.analytics.calls(caller.userId, query);
  }
}
