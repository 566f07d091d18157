import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { AgentRepository } from '../agents/agent.repository.js';
import { Clock } from '../common/clock.js';
import { ApiException, ResourceNotFoundException, ValidationFailedException } from '../common/errors/app-exceptions.js';
import type { Page } from '../common/pagination/page.dto.js';
import { EventsService } from '../events/events.service.js';
import { PhoneNumberRepository } from '../phone-numbers/phone-number.repository.js';
import { User } from '../users/user.entity.js';
import { minutesOf } from './calling-windows.js';
import { Campaign, type CampaignStatus, type PauseReason } from './campaign.entity.js';
import { CampaignTarget } from './campaign-target.entity.js';
import { CAMPAIGN_PAGES, CampaignRepository, TARGET_PAGES } from './campaign.repository.js';
import { CampaignResponseDto, CampaignTargetResponseDto, type CreateCampaignDto, type ListCampaignsQueryDto, type ListTargetsQueryDto } from './dto/campaign.dto.js';

export type CampaignAction = 'start' | 'pause' | 'resume' | 'cancel';

/** Which states each action leaves from; anything else is a 409 naming the state. */
const FROM: Record<CampaignAction, CampaignStatus[]> = {
  start: ['draft'],
  pause: ['scheduled', 'running'],
  resume: ['paused'],
  cancel: ['draft', 'scheduled', 'running', 'paused'],
};

@Injectable()
export class CampaignsService {
  constructor(
    private readonly campaigns: CampaignRepository,
    private readonly agents: AgentRepository,
    private readonly numbers: PhoneNumberRepository,
    private readonly events: EventsService,
    private readonly em: EntityManager,
    private readonly clock: Clock,
  ) {}

  /**
   * A draft with one target per contact. Every id must be the caller's (else a 400 naming the field, nothing
   * written); the campaign and its targets are one transaction, the targets one INSERT … SELECT from the caller's
   * contacts, so a contact deleted meanwhile is caught by the row count, not half-written.
   */
  async create(ownerId: number, dto: CreateCampaignDto): Promise<CampaignResponseDto> {
    const problems: Array<{ field: string; messages: string[] }> = [];
    dto.schedule.windows.forEach((window, i) => {
      if (minutesOf(window.end) <= minutesOf(window.start)) problems.push({ field: `schedule.windows.${i}.end`, messages: ['end must be after start'] });
    });
    const agent = await this.agents.findForOwner(ownerId, dto.agentId);
    if (!agent || !agent.isActive) problems.push({ field: 'agentId', messages: ['is not one of your active agents'] });
    if (dto.fromNumber && !(await this.numbers.findActiveForOwnerByNumber(ownerId, dto.fromNumber))) {
      problems.push({ field: 'fromNumber', messages: ['is not one of your active phone numbers'] });
    }
    const missing = await this.missingContacts(ownerId, dto.contactIds);
    if (missing.length > 0) {
      const shown = missing.slice(0, 20).join(', ');
      problems.push({ field: 'contactIds', messages: [`are not your contacts: ${shown}${missing.length > 20 ? ` and ${missing.length - 20} more` : ''}`] });
    }
    if (problems.length > 0) throw new ValidationFailedException(problems);

    const id = await this.em.transactional(async (em) => {
      const campaign = em.create(Campaign, {
        user: em.getReference(User, ownerId),
        agent: agent!,
        name: dto.name,
        fromNumber: dto.fromNumber ?? null,
        schedule: { startAt: dto.schedule.startAt ? new Date(dto.schedule.startAt).toISOString() : null, timezone: dto.schedule.timezone, windows: dto.schedule.windows.map(({ days, start, end }) => ({ days, start, end })) },
        maxConcurrency: dto.maxConcurrency ?? null,
        retry: { maxAttempts: dto.retry.maxAttempts, on: dto.retry.on, delayMinutes: dto.retry.delayMinutes },
        dynamicVariables: dto.dynamicVariables ?? null,
        targetCount: dto.contactIds.length,
      });
      await em.flush();
      const inserted = await em.getConnection().execute<Array<{ n: string }>>(
        `with made as (
           insert into campaign_targets (campaign_id, user_id, contact_id, phone_number, next_attempt_at)
           select ?, c.user_id, c.id, c.phone_number, ?::timestamp
             from jsonb_array_elements_text(?::jsonb) with ordinality as x(id, ord)
             join contacts c on c.id = x.id::int and c.user_id = ?
            order by x.ord
           returning 1)
         select count(*) as n from made`,
        [campaign.id, this.clock.now().toISOString(), JSON.stringify(dto.contactIds), ownerId],
        'all',
        em.getTransactionContext(),
      );
      if (Number(inserted[0]!.n) !== dto.contactIds.length) {
        throw new ValidationFailedException([{ field: 'contactIds', messages: ['a contact was deleted meanwhile; send the request again'] }]);
      }
      return campaign.id;
    });
    return this.get(ownerId, id);
  }

  async list(ownerId: number, query: ListCampaignsQueryDto): Promise<Page<CampaignResponseDto>> {
    const page = await this.campaigns.findPageForOwner(ownerId, query.status, CAMPAIGN_PAGES.request(query.limit, query.cursor));
    const progress = await this.campaigns.progressOf(page.items.map((campaign) => campaign.id));
    return { items: page.items.map((campaign) => CampaignResponseDto.fromEntity(campaign, progress.get(campaign.id)!)), nextCursor: page.nextCursor };
  }

  async get(ownerId: number, id: number, em = this.em): Promise<CampaignResponseDto> {
    const campaign = await em.findOne(Campaign, { id, user: ownerId }, { refresh: true });
    if (!campaign) throw new ResourceNotFoundException('Campaign');
    const progress = await this.campaigns.progressOf([id], em);
    return CampaignResponseDto.fromEntity(campaign, progress.get(id)!);
  }

  async targets(ownerId: number, id: number, query: ListTargetsQueryDto): Promise<Page<CampaignTargetResponseDto>> {
    if (!(await this.campaigns.findForOwner(ownerId, id))) throw new ResourceNotFoundException('Campaign');
    const page = await this.campaigns.findTargetPage(id, query.status, TARGET_PAGES.request(query.limit, query.cursor));
    return { items: page.items.map(CampaignTargetResponseDto.fromEntity), nextCursor: page.nextCursor };
  }

  /**
   * A state change: one conditional UPDATE (so two racing requests cannot both pass), its event in the same
   * transaction (the outbox). A start whose `startAt` is still ahead schedules the campaign; the dialer starts it.
   */
  async transition(ownerId: number, id: number, action: CampaignAction): Promise<CampaignResponseDto> {
    return this.em.transactional(async (em) => {
      const connection = em.getConnection();
      const context = em.getTransactionContext();
      // Dates go to PostgreSQL as UTC ISO strings: the columns are `timestamp` holding UTC.
      const at = this.clock.now().toISOString();
      const next: Record<CampaignAction, string> = {
        start: `case when (schedule->>'startAt') is not null and (schedule->>'startAt')::timestamptz > ?::timestamptz then 'scheduled' else 'running' end`,
        pause: `'paused'`,
        resume: `case when (schedule->>'startAt') is not null and (schedule->>'startAt')::timestamptz > ?::timestamptz then 'scheduled' else 'running' end`,
        cancel: `'cancelled'`,
      };
      const usesNow = action === 'start' || action === 'resume';
      const rows = await connection.execute<Array<{ status: CampaignStatus }>>(
        `update campaigns set status = ${next[action]},
                pause_reason = ${action === 'pause' ? `'requested'` : 'null'},
                started_at = case when ${next[action]} = 'running' then coalesce(started_at, ?) else started_at end,
                completed_at = ${action === 'cancel' ? '?' : 'completed_at'}
          where id = ? and user_id = ? and status in (select jsonb_array_elements_text(?::jsonb))
          returning status`,
        [...(usesNow ? [at, at] : []), at, ...(action === 'cancel' ? [at] : []), id, ownerId, JSON.stringify(FROM[action])],
        'all',
        context,
      );
      if (rows.length === 0) {
        const current = await em.findOne(Campaign, { id, user: ownerId });
        if (!current) throw new ResourceNotFoundException('Campaign');
        throw new ApiException(409, `Cannot ${action} a campaign that is ${current.status}${action === 'start' ? ' (start works on drafts; use resume for a paused one)' : ''}`);
      }
      if (action === 'cancel') {
        await connection.execute(
          `update campaign_targets set status = 'cancelled', next_attempt_at = null, updated_at = ? where campaign_id = ? and status = 'pending'`,
          [at, id],
          'run',
          context,
        );
      }
      const dto = await this.get(ownerId, id, em);
      if (rows[0]!.status === 'running') await this.events.record(em, ownerId, 'campaign.started', dto, { agentId: dto.agentId });
      if (rows[0]!.status === 'paused') await this.events.record(em, ownerId, 'campaign.paused', dto, { agentId: dto.agentId });
      return dto;
    });
  }

  private async missingContacts(ownerId: number, ids: number[]): Promise<number[]> {
    const rows = await this.em.getConnection().execute<Array<{ id: number }>>(
      `select x.id::int as id from jsonb_array_elements_text(?::jsonb) as x(id)
        where not exists (select 1 from contacts c where c.id = x.id::int and c.user_id = ?) order by 1`,
      [JSON.stringify(ids), ownerId],
    );
    return rows.map((row) => row.id);
  }
}

export type { PauseReason };
