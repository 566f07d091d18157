import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { type AuthPrincipal, CurrentUser } from '../common/auth/current-user.decorator.js';
import { ApiErrors, ApiRetellErrors } from '../common/openapi/api-errors.decorator.js';
import { ParseIdPipe } from '../common/pagination/parse-id.pipe.js';
import { InboundRoutingResponseDto, PutInboundRoutingDto } from './dto/inbound-routing.dto.js';
import { InboundRoutingService } from './inbound-routing.service.js';

@ApiTags('phone-numbers')
@Controller('phone-numbers/:id/inbound-routing')
export class InboundRoutingController {
  constructor(private readonly routings: InboundRoutingService) {}

  /** The number's inbound routing. */
  @Get()
  @ApiOkResponse({ type: InboundRoutingResponseDto })
  @ApiErrors(404)
  async get(@CurrentUser() caller: AuthPrincipal, @Param('id', ParseIdPipe) id: number): Promise<InboundRoutingResponseDto> {
    return InboundRoutingResponseDto.fromEntity(await this.routings.get(caller.userId, id));
  }

  /**
   * Set or replace how the number's inbound calls are answered: your number's agent in office hours (read in
   * `timezone`), the after-hours agent or a refusal outside them, blocked contacts refused and known callers greeted
   * with their contact details — optionally asking your own system first. Retell then asks this server per call.
   */
  @Put()
  @ApiOkResponse({ type: InboundRoutingResponseDto })
  @ApiErrors(404, { 409: 'The after-hours agent is inactive, or another change of this number is under way.' })
  @ApiRetellErrors()
  async put(@CurrentUser() caller: AuthPrincipal, @Param('id', ParseIdPipe) id: number, @Body() dto: PutInboundRoutingDto): Promise<InboundRoutingResponseDto> {
    const { routing, signingSecret } = await this.routings.put(caller.userId, id, dto);
    return InboundRoutingResponseDto.fromEntity(routing, signingSecret);
  }

  /** Back to the plain binding: the number's agent answers every inbound call, and Retell stops asking this server. */
  @Delete()
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Removed; Retell binds the number to its agent again.' })
  @ApiErrors(404, { 409: 'Another change of this number is under way.' })
  @ApiRetellErrors()
  async remove(@CurrentUser() caller: AuthPrincipal, @Param('id', ParseIdPipe) id: number): Promise<void> {
    await this.routings.remove(caller.userId, id);
  }
}
