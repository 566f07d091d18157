import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { AgentTool } from '../agent-tools/agent-tool.entity.js';
import { AgentDetailResponseDto } from '../agents/dto/agent-response.dto.js';
import { ResourceNotFoundException } from '../common/errors/app-exceptions.js';
import { LlmConfiguration } from '../llm-configurations/llm-configuration.entity.js';
import { mapPage, type Page } from '../common/pagination/page.dto.js';
import { User } from '../users/user.entity.js';
import type { EventListQueryDto, EventResponseDto } from './dto/event.dto.js';
import { eventData } from './event-data.js';
import { Event, type EventType } from './event.entity.js';
import { EVENT_PAGES, EventRepository } from './event.repository.js';

@Injectable()
export class EventsService {
  constructor(
    private readonly events: EventRepository,
    private readonly em: EntityManager,
  ) {}

  /**
   * Writes an event through `em`, inside the caller's transaction (pass the transactional `em`): it commits with the
   * change it reports or not at all, and the relay delivers it from there (the outbox). One INSERT, at once.
   */
  async record(
    em: EntityManager,
    ownerId: number,
    type: EventType,
    data: object,
    options: { agentId?: number | null; endpointId?: number } = {},
  ): Promise<number> {
    return em.insert(Event, {
      user: em.getReference(User, ownerId),
      type,
      data: JSON.parse(JSON.stringify(data)) as Record<string, unknown>,
      agentId: options.agentId ?? null,
      endpointId: options.endpointId ?? null,
      createdAt: new Date(),
    });
  }

  /**
   * An agent event: the agent as `GET /agents/:id` returns it, read back as stored inside the caller's transaction (so
   * `updated_at` is the trigger's, as a later GET sees it), recorded with it. For a deletion, call it before deleting.
   */
  async recordAgent(em: EntityManager, ownerId: number, agentId: number, type: 'agent.created' | 'agent.updated' | 'agent.published' | 'agent.deleted'): Promise<void> {
    const configuration = await em.findOneOrFail(
      LlmConfiguration,
      { agent: { id: agentId, user: ownerId } },
      { populate: ['agent'], strategy: 'joined', refresh: true },
    );
    const tools = await em.find(AgentTool, { agent: { id: agentId, user: ownerId } }, { orderBy: { id: 'asc' }, refresh: true });
    await this.record(em, ownerId, type, AgentDetailResponseDto.fromEntities(configuration.agent.getEntity(), configuration, tools), { agentId });
  }

  async list(ownerId: number, query: EventListQueryDto): Promise<Page<EventResponseDto>> {
    const page = await this.events.findPageForOwner(ownerId, query.type, EVENT_PAGES.request(query.limit, query.cursor));
    return mapPage(page, (row) => this.toDto(row));
  }

  async get(ownerId: number, id: number): Promise<EventResponseDto> {
    const event = await this.events.findForOwner(ownerId, id);
    if (!event) throw new ResourceNotFoundException('Event');
    return this.toDto(event);
  }

  toDto(event: Event): EventResponseDto {
    return { id: event.id, type: event.type, createdAt: event.createdAt, data: eventData(this.em, event) };
  }
}
