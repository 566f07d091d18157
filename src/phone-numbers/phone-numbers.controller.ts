import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { type AuthPrincipal, CurrentUser } from '../common/auth/current-user.decorator.js';
import { ErrorEnvelopeDto } from '../common/errors/error-envelope.dto.js';
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
  @ApiNotFoundResponse({ type: ErrorEnvelopeDto })
  @ApiConflictResponse({ type: ErrorEnvelopeDto, description: 'The agent is inactive' })
  async buy(@CurrentUser() caller: AuthPrincipal, @Param('agentId', ParseIdPipe) agentId: number, @Body() dto: BuyPhoneNumberDto): Promise<PhoneNumberResponseDto> {
    return PhoneNumberResponseDto.fromEntity(await this.numbers.buy(caller.userId, agentId, dto));
  }

  /** Import a number you own over SIP, bound inbound and outbound to the agent. SIP credentials are never stored. */
  @Post('agents/:agentId/phone-numbers/import')
  @ApiCreatedResponse({ type: PhoneNumberResponseDto })
  @ApiNotFoundResponse({ type: ErrorEnvelopeDto })
  @ApiConflictResponse({ type: ErrorEnvelopeDto, description: 'The number is already registered' })
  async import(@CurrentUser() caller: AuthPrincipal, @Param('agentId', ParseIdPipe) agentId: number, @Body() dto: ImportPhoneNumberDto): Promise<PhoneNumberResponseDto> {
    return PhoneNumberResponseDto.fromEntity(await this.numbers.import(caller.userId, agentId, dto));
  }

  /** Your numbers, newest first. */
  @Get('phone-numbers')
  @ApiOkResponse({ type: PhoneNumberPageDto })
  list(@CurrentUser() caller: AuthPrincipal, @Query() query: PhoneNumberListQueryDto): Promise<PhoneNumberPageDto> {
    return this.numbers.list(caller.userId, query.agentId, query.limit, query.cursor);
  }

  @Get('phone-numbers/:id')
  @ApiOkResponse({ type: PhoneNumberResponseDto })
  @ApiNotFoundResponse({ type: ErrorEnvelopeDto })
  async get(@CurrentUser() caller: AuthPrincipal, @Param('id', ParseIdPipe) id: number): Promise<PhoneNumberResponseDto> {
    return PhoneNumberResponseDto.fromEntity(await this.numbers.get(caller.userId, id));
  }

  /** Move the number to another of your agents, (de)activate it, or rename it. Retell is updated first. */
  @Patch('phone-numbers/:id')
  @ApiOkResponse({ type: PhoneNumberResponseDto })
  @ApiNotFoundResponse({ type: ErrorEnvelopeDto })
  async update(@CurrentUser() caller: AuthPrincipal, @Param('id', ParseIdPipe) id: number, @Body() dto: UpdatePhoneNumberDto): Promise<PhoneNumberResponseDto> {
    return PhoneNumberResponseDto.fromEntity(await this.numbers.update(caller.userId, id, dto));
  }

  /** Release the number at Retell and delete it. */
  @Delete('phone-numbers/:id')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorEnvelopeDto })
  async release(@CurrentUser() caller: AuthPrincipal, @Param('id', ParseIdPipe) id: number): Promise<void> {
    await this.numbers.release(caller.userId, id);
  }
}
