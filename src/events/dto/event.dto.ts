import { IsIn, IsOptional } from 'class-validator';
import { PageOf, PageQueryDto } from '../../common/pagination/page.dto.js';
import { EVENT_TYPES, type EventType } from '../event.entity.js';

// No example on the filter: Swagger UI pre-fills it, so a first "Execute" would silently filter the list.
export class EventListQueryDto extends PageQueryDto {
  /** Only events of this type. */
  @IsOptional()
  @IsIn(EVENT_TYPES)
  type?: EventType;
}

/** An event as it is delivered to webhook endpoints (the body of each delivery). */
export class EventResponseDto {
  /** The event id; also the `webhook-id` header of every delivery of it. @example 1042 */
  id: number;
  /** @example "call.ended" */
  type: EventType;
  createdAt: Date;
  /**
   * What the matching GET returned when the event happened: `GET /calls/:id` for call events, `GET /agents/:id` for
   * agent events, `GET /phone-numbers/:id` for phone number events (for deletions: the last state).
   * @example {"id":42,"agentId":7,"status":"ended","durationSeconds":42}
   */
  data: Record<string, unknown>;
}

export class EventPageDto extends PageOf(EventResponseDto) {}
