import { EntityRepository, type FilterQuery } from '@mikro-orm/postgresql';
import { Keyset, type PageRequestOf } from '../common/pagination/keyset.js';
import type { Page } from '../common/pagination/page.dto.js';
import type { Campaign, CampaignStatus } from './campaign.entity.js';
import { CampaignTarget, type TargetStatus } from './campaign-target.entity.js';
import type { CampaignProgressDto } from './dto/campaign.dto.js';

/** Newest first, over the (user_id, created_at, id) index. */
export const CAMPAIGN_PAGES = new Keyset('desc', { createdAt: { type: 'date', column: 'created_at' }, id: { type: 'number' } });
/** In the order they were given, over the (campaign_id, id) index. */
export const TARGET_PAGES = new Keyset('asc', { id: { type: 'number' } });

export function emptyProgress(): CampaignProgressDto {
  return {
    targets: 0,
    pending: 0,
    dialling: 0,
    completed: { completed: 0, noAnswer: 0, busy: 0, voicemail: 0, error: 0, failed: 0 },
    failed: 0,
    skippedDoNotCall: 0,
    cancelled: 0,
  };
}

const OUTCOME_KEYS: Record<string, keyof CampaignProgressDto['completed']> = {
  completed: 'completed',
  no_answer: 'noAnswer',
  busy: 'busy',
  voicemail: 'voicemail',
  error: 'error',
  failed: 'failed',
};

export class CampaignRepository extends EntityRepository<Campaign> {
  findForOwner(ownerId: number, id: number): Promise<Campaign | null> {
    return this.findOne({ id, user: ownerId });
  }

  async findPageForOwner(ownerId: number, status: CampaignStatus | undefined, page: PageRequestOf<typeof CAMPAIGN_PAGES>): Promise<Page<Campaign>> {
    const where: FilterQuery<Campaign> = { user: ownerId };
    if (status) where.status = status;
    const rows = await this.find({ ...where, ...CAMPAIGN_PAGES.after(page) }, { orderBy: CAMPAIGN_PAGES.orderBy, limit: CAMPAIGN_PAGES.fetchSize(page) });
    return CAMPAIGN_PAGES.page(rows, page);
  }

  async findTargetPage(campaignId: number, status: TargetStatus | undefined, page: PageRequestOf<typeof TARGET_PAGES>): Promise<Page<CampaignTarget>> {
    const where: FilterQuery<CampaignTarget> = { campaign: campaignId };
    if (status) where.status = status;
    const rows = await this.em.find(CampaignTarget, { ...where, ...TARGET_PAGES.after(page) }, { orderBy: TARGET_PAGES.orderBy, limit: TARGET_PAGES.fetchSize(page) });
    return TARGET_PAGES.page(rows, page);
  }

  /**
   * Progress of these campaigns: one grouped count over their targets (at most 10,000 each, by the campaign index).
   * Runs on `em` (pass a transaction's to read what it wrote).
   */
  async progressOf(ids: number[], em = this.em): Promise<Map<number, CampaignProgressDto>> {
    const result = new Map(ids.map((id) => [id, emptyProgress()]));
    if (ids.length === 0) return result;
    const rows = await em.getConnection().execute<Array<{ campaign_id: number; status: TargetStatus; outcome: string | null; n: string }>>(
      `select campaign_id, status, outcome, count(*) as n from campaign_targets where campaign_id in (select jsonb_array_elements_text(?::jsonb)::int) group by 1, 2, 3`,
      [JSON.stringify(ids)],
      'all',
      em.getTransactionContext(),
    );
    for (const row of rows) {
      const progress = result.get(row.campaign_id)!;
      const n = Number(row.n);
      progress.targets += n;
      if (row.status === 'pending') progress.pending += n;
      else if (row.status === 'dialling') progress.dialling += n;
      else if (row.status === 'cancelled') progress.cancelled += n;
      else if (row.status === 'skipped') progress.skippedDoNotCall += n;
      else if (row.status === 'done') {
        const key = OUTCOME_KEYS[row.outcome ?? 'error'] ?? 'error';
        progress.completed[key] += n;
        if (key !== 'completed') progress.failed += n;
      }
    }
    return result;
  }
}
