import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export const GROUPINGS = ['day', 'agent', 'day,agent'] as const;
export type Grouping = (typeof GROUPINGS)[number];

const DATE = /^\d{4}-\d{2}-\d{2}$/;

// No examples on the optional filters (Swagger UI pre-fills them); the two required days have one.
export class CallAnalyticsQueryDto {
  /** First day, inclusive, in `timezone` (YYYY-MM-DD). @example "2026-11-01" */
  @IsString()
  @Matches(DATE, { message: '$property must be a date, YYYY-MM-DD' })
  from: string;

  /** Last day, inclusive, in `timezone` (YYYY-MM-DD); at most 366 days from `from`. @example "2026-11-30" */
  @IsString()
  @Matches(DATE, { message: '$property must be a date, YYYY-MM-DD' })
  to: string;

  /** IANA time zone the days are counted in (default UTC). */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  timezone?: string;

  /** Buckets per local day, per agent, or per day and agent (default day). */
  @IsOptional()
  @IsIn(GROUPINGS)
  groupBy?: Grouping;

  /** Only this agent's calls. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  agentId?: number;
}

export class SentimentCountsDto {
  positive: number;
  negative: number;
  neutral: number;
  /** Analysed calls whose sentiment is Unknown (or a value Retell adds later). */
  unknown: number;
}

export class DisconnectionReasonCountDto {
  /** Retell's `disconnection_reason`. @example "user_hangup" */
  reason: string;
  calls: number;
}

export class CallAnalyticsBucketDto {
  /** The local day (groupBy `day` or `day,agent`). @example "2026-11-30" */
  day?: string;
  /** The agent (groupBy `agent` or `day,agent`). @example 7 */
  agentId?: number;
  /** Calls started that day (a call that never started counts on the day it was created). @example 40 */
  calls: number;
  /** Calls that were answered (status `ongoing` or `ended`). @example 31 */
  connectedCalls: number;
  /** Sum of call durations, whole seconds. @example 5580 */
  totalDurationSeconds: number;
  /** Mean duration of the calls that have one; null when none has. @example 180 */
  averageDurationSeconds: number | null;
  /** Calls Retell's analysis marked successful. */
  successfulCalls: number;
  /** Calls Retell's analysis marked unsuccessful. */
  unsuccessfulCalls: number;
  sentiment: SentimentCountsDto;
  /** Sum of Retell's `call_cost.combined_cost` (cents). @example 1234.5 */
  combinedCost: number;
  /** The five most frequent disconnection reasons, most frequent first (ties by name). */
  topDisconnectionReasons: DisconnectionReasonCountDto[];
}

export class CallAnalyticsResponseDto {
  /** @example "2026-11-01" */
  from: string;
  /** @example "2026-11-30" */
  to: string;
  /** The time zone, as asked. @example "Europe/Berlin" */
  timezone: string;
  /** @example "day" */
  groupBy: Grouping;
  /** Buckets with at least one call, by day then agent. */
  buckets: CallAnalyticsBucketDto[];
}
