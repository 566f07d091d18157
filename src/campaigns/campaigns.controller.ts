import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { type AuthPrincipal, CurrentUser } from '../common/auth/current-user.decorator.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { ParseIdPipe } from '../common/pagination/parse-id.pipe.js';
import { CampaignsService } from './campaigns.service.js';
import {
  CampaignPageDto,
  CampaignResponseDto,
  CampaignTargetPageDto,
  CreateCampaignDto,
  ListCampaignsQueryDto,
  ListTargetsQueryDto,
} from './dto/campaign.dto.js';

const ILLEGAL = { 409: 'Not allowed in the campaign’s current state (the message names it).' };

@ApiTags('campaigns')
@Controller('campaigns')
export class CampaignsController {
  constructor(private readonly campaigns: CampaignsService) {}

  /**
   * Create a campaign as a `draft`: one target per contact (up to 10,000), calling windows in each contact's time
   * zone (else the campaign's), a retry policy by outcome. Every id must be yours. Nothing is dialled before `start`.
   */
  @Post()
  @ApiCreatedResponse({ type: CampaignResponseDto })
  async create(@CurrentUser() caller: AuthPrincipal, @Body() dto: CreateCampaignDto): Promise<CampaignResponseDto> {
    return this.campaigns.create(caller.userId, dto);
  }

  /** Your campaigns, newest first, with their progress. */
  @Get()
  @ApiOkResponse({ type: CampaignPageDto })
  async list(@CurrentUser() caller: AuthPrincipal, @Query() query: ListCampaignsQueryDto): Promise<CampaignPageDto> {
    return this.campaigns.list(caller.userId, query);
  }

  /** One campaign: its state and progress (targets pending, dialling, finished by outcome, skipped). */
  @Get(':id')
  @ApiOkResponse({ type: CampaignResponseDto })
  @ApiErrors(404)
  async get(@CurrentUser() caller: AuthPrincipal, @Param('id', ParseIdPipe) id: number): Promise<CampaignResponseDto> {
    return this.campaigns.get(caller.userId, id);
  }

  /** The campaign's targets in the order given: attempts, calls, outcome and next attempt. */
  @Get(':id/targets')
  @ApiOkResponse({ type: CampaignTargetPageDto })
  @ApiErrors(404)
  async targets(@CurrentUser() caller: AuthPrincipal, @Param('id', ParseIdPipe) id: number, @Query() query: ListTargetsQueryDto): Promise<CampaignTargetPageDto> {
    return this.campaigns.targets(caller.userId, id, query);
  }

  /** Start a draft: `running` at once, or `scheduled` until `schedule.startAt`. */
  @Post(':id/start')
  @HttpCode(200)
  @ApiOkResponse({ type: CampaignResponseDto })
  @ApiErrors(404, ILLEGAL)
  async start(@CurrentUser() caller: AuthPrincipal, @Param('id', ParseIdPipe) id: number): Promise<CampaignResponseDto> {
    return this.campaigns.transition(caller.userId, id, 'start');
  }

  /** Pause: no new dials; calls under way finish and are recorded. */
  @Post(':id/pause')
  @HttpCode(200)
  @ApiOkResponse({ type: CampaignResponseDto })
  @ApiErrors(404, ILLEGAL)
  async pause(@CurrentUser() caller: AuthPrincipal, @Param('id', ParseIdPipe) id: number): Promise<CampaignResponseDto> {
    return this.campaigns.transition(caller.userId, id, 'pause');
  }

  /** Resume a paused campaign (also one paused at the minutes cap). */
  @Post(':id/resume')
  @HttpCode(200)
  @ApiOkResponse({ type: CampaignResponseDto })
  @ApiErrors(404, ILLEGAL)
  async resume(@CurrentUser() caller: AuthPrincipal, @Param('id', ParseIdPipe) id: number): Promise<CampaignResponseDto> {
    return this.campaigns.transition(caller.userId, id, 'resume');
  }

  /** Cancel: targets not yet dialled are cancelled; calls under way finish and are recorded. Final. */
  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOkResponse({ type: CampaignResponseDto })
  @ApiErrors(404, ILLEGAL)
  async cancel(@CurrentUser() caller: AuthPrincipal, @Param('id', ParseIdPipe) id: number): Promise<CampaignResponseDto> {
    return this.campaigns.transition(caller.userId, id, 'cancel');
  }
}
