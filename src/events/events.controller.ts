import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { type AuthPrincipal, CurrentUser } from '../common/auth/current-user.decorator.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { ParseIdPipe } from '../common/pagination/parse-id.pipe.js';
import { EventListQueryDto, EventPageDto, EventResponseDto } from './dto/event.dto.js';
import { EventsService } from './events.service.js';

@ApiTags('events')
@Controller('events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  /** Your event log, newest first: what was (or would have been) sent to your webhook endpoints. */
  @Get()
  @ApiOkResponse({ type: EventPageDto })
  list(@CurrentUser() caller: AuthPrincipal, @Query() query: EventListQueryDto): Promise<EventPageDto> {
    return this.events.list(caller.userId, query);
  }

  /** One event, with the same body a webhook delivery of it carries. */
  @Get(':id')
  @ApiOkResponse({ type: EventResponseDto })
  @ApiErrors(404)
  get(@CurrentUser() caller: AuthPrincipal, @Param('id', ParseIdPipe) id: number): Promise<EventResponseDto> {
    return this.events.get(caller.userId, id);
  }
}
