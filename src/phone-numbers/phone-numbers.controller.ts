import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiRetellErrors } from '../common/openapi/api-errors.decorator.js';
import { type AuthPrincipal, CurrentUser } from '../common/auth/current-user.decorator.js';
import { mapPage } from '../common/pagination/page.dto.js';
import { ParseIdPipe } from '../common/pagination/parse-id.pipe.js';
import {
  BuyPhoneNumberDto,
  ImportPhoneNumberDto,
  PhoneNumberListQueryDto,
  PhoneNumberPageDto,
  PhoneNumberResponseDto,
  UpdatePhoneNumberDto,
} from './dto/phone-number.dto.js';
import { PhoneNumbersService } from './phone-numbers.service.js';

@ApiTags('phone-numbers')
@Controller()
export class PhoneNumbersController {
  constructor(private readonly numbers: PhoneNumbersService) {}

  /** Buy a number at Retell, bound inbound and outbound to the agent. */
  @Post('agents/:agentId/phone-numbers')
  @ApiCreatedResponse({ type: PhoneNumberResponseDto })
  @ApiErrors(404, { 409: 'The agent is inactive.', 429: 'Daily number purchase cap reached; retry after `retryAfterSeconds`.' })
  @ApiRetellErrors()
  async buy(@CurrentUser() caller: AuthPrincipal, @Param('agentId', ParseIdPipe) agentId: number, @Body() dto: BuyPhoneNumberDto): Promise<PhoneNumberResponseDto> {
    return PhoneNumberResponseDto.fromEntity(await this.numbers.buy(caller.userId, agentId, dto));
  }

  /** Import a number you own over SIP, bound inbound and outbound to the agent. SIP credentials are never stored. */
  @Post('agents/:agentId/phone-numbers/import')
  @ApiCreatedResponse({ type: PhoneNumberResponseDto })
  @ApiErrors(404, { 409: 'The number is already registered, or the agent is inactive.' })
  @ApiRetellErrors()
  async import(@CurrentUser() caller: AuthPrincipal, @Param('agentId', ParseIdPipe) agentId: number, @Body() dto: ImportPhoneNumberDto): Promise<PhoneNumberResponseDto> {
    return PhoneNumberResponseDto.fromEntity(await this.numbers.import(caller.userId, agentId, dto));
  }

  /** Your numbers, newest first. */
  @Get('phone-numbers')
  @ApiOkResponse({ type: PhoneNumberPageDto })
  async list(@CurrentUser() caller: AuthPrincipal, @Query() query: PhoneNumberListQueryDto): Promise<PhoneNumberPageDto> {
    return mapPage(await this.numbers.list(caller.userId, query.agentId, query.limit, query.cursor), PhoneNumberResponseDto.fromEntity);
  }

  /** One of your numbers. */
  @Get('phone-numbers/:id')
  @ApiOkResponse({ type: PhoneNumberResponseDto })
  @ApiErrors(404)
  async get(@CurrentUser() caller: AuthPrincipal, @Param('id', ParseIdPipe) id: number): Promise<PhoneNumberResponseDto> {
    return PhoneNumberResponseDto.fromEntity(await this.numbers.get(caller.userId, id));
  }

  /** Move the number to another of your agents, (de)activate it, or rename it. Retell is updated first. */
  @Patch('phone-numbers/:id')
  @ApiOkResponse({ type: PhoneNumberResponseDto })
  @ApiErrors(404, { 409: 'The target agent is inactive.' })
  @ApiRetellErrors()
  async update(@CurrentUser() caller: AuthPrincipal, @Param('id', ParseIdPipe) id: number, @Body() dto: UpdatePhoneNumberDto): Promise<PhoneNumberResponseDto> {
    return PhoneNumberResponseDto.fromEntity(await this.numbers.update(caller.userId, id, dto));
  }

  /** Release the number at Retell and delete it. */
  @Delete('phone-numbers/:id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Released at Retell and deleted.' })
  @ApiErrors(404)
  @ApiRetellErrors()
  async release(@CurrentUser() caller: AuthPrincipal, @Param('id', ParseIdPipe) id: number): Promise<void> {
    await this.numbers.release(caller.userId, id);
  }
}
