import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { DateTime } from 'luxon';
import { AgentRepository } from '../agents/agent.repository.js';
import { ResourceNotFoundException, ValidationFailedException } from '../common/errors/app-exceptions.js';
import { canonicalTimeZone } from '../common/validation/time-zone.js';
import type { CallAnalyticsBucketDto, CallAnalyticsQueryDto, CallAnalyticsResponseDto, Grouping } from './dto/analytics.dto.js';

const MAX_DAYS = 366;
const TOP_REASONS = 5;
/** The rollups' granularity: every time zone in use today is offset from UTC by a multiple of 15 minutes. */
const BUCKET_MINUTES = 15;

interface RollupRow {
  day: number | null;
  agent_id: number | null;
  /** null on a bucket's total row. */
  reason: string | null;
  calls: number;
  connected_calls: number;
  duration_calls: number;
  duration_seconds: number;
  successful_calls: number;
  unsuccessful_calls: number;
  sentiment_positive: number;
  sentiment_negative: number;
  sentiment_neutral: number;
  sentiment_unknown: number;
  combined_cost: number;
}

const SUMS = [
  'calls', 'connected_calls', 'duration_calls', 'duration_seconds', 'successful_calls', 'unsuccessful_calls',
  'sentiment_positive', 'sentiment_negative', 'sentiment_neutral', 'sentiment_unknown', 'combined_cost',
] as const;

@Injectable()
export class AnalyticsService {
  constructor(
    private readonly em: EntityManager,
    private readonly agents: AgentRepository,
  ) {}

  /**
   * Reads the quarter-hour rollups (never the calls): the local days are turned into their UTC starts here, with the
   * time zone's rules, and PostgreSQL puts each quarter hour into its day (`width_bucket` over those starts).
   */
  async calls(ownerId: number, query: CallAnalyticsQueryDto): Promise<CallAnalyticsResponseDto> {
    const timezone = canonicalTimeZone(query.timezone ?? 'UTC');
    if (!timezone) throw new ValidationFailedException([{ field: 'timezone', messages: ['must be an IANA time zone name, e.g. Europe/Berlin'] }]);
    const groupBy: Grouping = query.groupBy ?? 'day';
    const days = this.days(query.from, query.to, timezone);
    if (query.agentId !== undefined && !(await this.agents.findForOwner(ownerId, query.agentId))) throw new ResourceNotFoundException('Agent');
    const byDay = groupBy !== 'agent';
    const byAgent = groupBy !== 'day';
    const starts = days.map((day) => day.start);
    // Totals come from the (day, agent) grouping set, summed exactly by PostgreSQL (numeric cost); the reason set only
    // gives each reason's count.
    const rows = await this.em.execute<RollupRow[]>(
      `with b as (select array(select jsonb_array_elements_text(?::jsonb)::timestamp) as starts),
       r as (
         select ${byDay ? 'width_bucket(r.bucket, b.starts)' : 'null::int'} as g_day, ${byAgent ? 'r.agent_id' : 'null::int'} as g_agent, r.*
           from call_rollups r, b
          where r.user_id = ? and r.bucket >= ? and r.bucket < ? ${query.agentId !== undefined ? 'and r.agent_id = ?' : ''})
       select g_day as day, g_agent as agent_id, case when grouping(disconnection_reason) = 1 then null else disconnection_reason end as reason,
              ${SUMS.map((column) => `sum(${column})::float8 as ${column}`).join(', ')}
         from r
        group by grouping sets ((g_day, g_agent, disconnection_reason), (g_day, g_agent))`,
      [JSON.stringify(starts), ownerId, starts[0], starts[starts.length - 1], ...(query.agentId !== undefined ? [query.agentId] : [])],
    );
    const buckets = new Map<string, { day: number | null; agentId: number | null; sums: RollupRow; reasons: Map<string, number> }>();
    const bucketOf = (row: RollupRow) => {
      const key = `${row.day}:${row.agent_id}`;
      let bucket = buckets.get(key);
      if (!bucket) buckets.set(key, (bucket = { day: row.day, agentId: row.agent_id, sums: row, reasons: new Map() }));
      return bucket;
    };
    for (const row of rows) {
      if (row.reason === null) bucketOf(row).sums = row;
      else if (row.reason !== '' && row.calls > 0) bucketOf(row).reasons.set(row.reason, row.calls);
    }
    const result = [...buckets.values()]
      .filter((bucket) => bucket.sums.reason === null && bucket.sums.calls > 0)
      .sort((a, b) => (a.day ?? 0) - (b.day ?? 0) || (a.agentId ?? 0) - (b.agentId ?? 0))
      .map((bucket): CallAnalyticsBucketDto => {
        const s = bucket.sums;
        return {
          ...(byDay && { day: days[bucket.day! - 1]!.day }),
          ...(byAgent && { agentId: bucket.agentId! }),
          calls: s.calls,
          connectedCalls: s.connected_calls,
          totalDurationSeconds: s.duration_seconds,
          averageDurationSeconds: s.duration_calls > 0 ? s.duration_seconds / s.duration_calls : null,
          successfulCalls: s.successful_calls,
          unsuccessfulCalls: s.unsuccessful_calls,
          sentiment: { positive: s.sentiment_positive, negative: s.sentiment_negative, neutral: s.sentiment_neutral, unknown: s.sentiment_unknown },
          combinedCost: s.combined_cost,
          topDisconnectionReasons: [...bucket.reasons]
            .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
            .slice(0, TOP_REASONS)
            .map(([reason, calls]) => ({ reason, calls })),
        };
      });
    return { from: query.from, to: query.to, timezone, groupBy, buckets: result };
  }

  /** Each local day with its UTC start, plus the end of the last day (as a final start). */
  private days(from: string, to: string, zone: string): Array<{ day: string; start: string }> {
    const first = DateTime.fromISO(from, { zone });
    const last = DateTime.fromISO(to, { zone });
    const errors: { field: string; messages: string[] }[] = [];
    if (!first.isValid || first.year < 2000 || first.year > 2099) errors.push({ field: 'from', messages: ['must be a real date between 2000 and 2099'] });
    if (!last.isValid || last.year < 2000 || last.year > 2099) errors.push({ field: 'to', messages: ['must be a real date between 2000 and 2099'] });
    if (errors.length === 0) {
      const count = last.diff(first, 'days').days;
      if (count < 0) errors.push({ field: 'to', messages: ['must not be before from'] });
      else if (count >= MAX_DAYS) errors.push({ field: 'to', messages: [`must be less than ${MAX_DAYS} days after from`] });
    }
    if (errors.length > 0) throw new ValidationFailedException(errors);
    const days: Array<{ day: string; start: string }> = [];
    for (let day = first.startOf('day'); day <= last.plus({ days: 1 }); day = day.plus({ days: 1 }).startOf('day')) {
      const start = day.toUTC();
      if (start.minute % BUCKET_MINUTES !== 0 || start.second !== 0 || start.millisecond !== 0) {
        // Only historic local mean times (before ~1980 in some zones) are not whole quarter hours from UTC.
        throw new ValidationFailedException([{ field: 'timezone', messages: [`days in this time zone do not start on a quarter hour of UTC on ${day.toISODate()}`] }]);
      }
      days.push({ day: day.toISODate()!, start: start.toFormat('yyyy-LL-dd HH:mm:ss') });
    }
    return days;
  }
}
