import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsDefined,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { ApiSchemaExample } from '../../common/openapi/schema-example.js';
import { PageOf, PageQueryDto } from '../../common/pagination/page.dto.js';
import { IsIsoDateTime } from '../../common/validation/iso-date-time.js';
import { IsE164 } from '../../common/validation/phone-number.js';
import { IsOmittable } from '../../common/validation/present.decorator.js';
import { IsStringRecord } from '../../common/validation/records.js';
import { IsStorableText } from '../../contacts/dto/contact.dto.js';
import { IsTimeZone } from '../../common/validation/time-zone.js';
import {
  CAMPAIGN_STATUSES,
  PAUSE_REASONS,
  RETRYABLE_OUTCOMES,
  WEEKDAYS,
  type Campaign,
  type CampaignStatus,
  type PauseReason,
  type RetryableOutcome,
  type Weekday,
} from '../campaign.entity.js';
import type { CampaignTarget, TargetAttempt, TargetOutcome, TargetStatus } from '../campaign-target.entity.js';

/** At most this many contacts per campaign (the contacts import's own bound). */
export const MAX_CAMPAIGN_TARGETS = 10_000;
export const MAX_CAMPAIGN_CONCURRENCY = 100;
const VARIABLES = { maxKeys: 50, maxValueLength: 1000 };
const HHMM = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

export class CallingWindowDto {
  /** Local week days. @example ["mon","tue","wed","thu","fri"] */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(7)
  @ArrayUnique()
  @IsIn(WEEKDAYS, { each: true })
  @ApiProperty({ enum: WEEKDAYS, isArray: true })
  days: Weekday[];

  /** Local start, `HH:mm`. @example "09:00" */
  @IsString()
  @Matches(HHMM, { message: '$property must be a time HH:mm (00:00 to 24:00)' })
  start: string;

  /** Local end, `HH:mm`, after `start` (`24:00` = midnight). @example "17:30" */
  @IsString()
  @Matches(HHMM, { message: '$property must be a time HH:mm (00:00 to 24:00)' })
  end: string;
}

export class CampaignScheduleDto {
  /** Not before this instant; left out, the campaign runs as soon as it is started. @example "2026-12-03T08:00:00Z" */
  @IsOmittable()
  @IsIsoDateTime()
  startAt?: string;

  /** The time zone of targets whose contact has none (IANA). @example "America/New_York" */
  @IsString()
  @MaxLength(64)
  @IsTimeZone()
  timezone: string;

  /** When calls may be placed, in each target's local time; at least one. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(21)
  @ValidateNested({ each: true })
  @Type(() => CallingWindowDto)
  windows: CallingWindowDto[];
}

export class RetryPolicyDto {
  /** Attempts per target, the first one included (1–5). @example 3 */
  @IsInt()
  @Min(1)
  @Max(5)
  maxAttempts: number;

  /** Which outcomes are tried again. @example ["no_answer","busy"] */
  @IsArray()
  @ArrayMaxSize(RETRYABLE_OUTCOMES.length)
  @ArrayUnique()
  @IsIn(RETRYABLE_OUTCOMES, { each: true })
  @ApiProperty({ enum: RETRYABLE_OUTCOMES, isArray: true })
  on: RetryableOutcome[];

  /** Minutes between an attempt's end and the next (0–10080, a week). @example 60 */
  @IsInt()
  @Min(0)
  @Max(10_080)
  delayMinutes: number;
}

@ApiSchemaExample({
  name: 'December appointment reminders',
  agentId: 12,
  contactIds: [31, 32, 33],
  schedule: { timezone: 'America/New_York', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:30' }] },
  maxConcurrency: 5,
  retry: { maxAttempts: 3, on: ['no_answer', 'busy'], delayMinutes: 60 },
  dynamicVariables: { clinic_name: 'Acme Dental' },
})
export class CreateCampaignDto {
  /** @example "December appointment reminders" */
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @IsStorableText()
  name: string;

  /** One of your active agents. @example 12 */
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  agentId: number;

  /** One of your active numbers; left out, the agent's oldest active number at each dial. @example "+14155550123" */
  @IsOmittable()
  @IsE164()
  fromNumber?: string;

  /** Your contacts to call, each once (1 to 10,000). @example [31,32,33] */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_CAMPAIGN_TARGETS)
  @ArrayUnique()
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(2_147_483_647, { each: true })
  contactIds: number[];

  @IsDefined()
  @ValidateNested()
  @Type(() => CampaignScheduleDto)
  schedule: CampaignScheduleDto;

  /** Calls of this campaign at once (1–100); the tenant's and the workspace's limits apply too. @example 5 */
  @IsOmittable()
  @IsInt()
  @Min(1)
  @Max(MAX_CAMPAIGN_CONCURRENCY)
  maxConcurrency?: number;

  @IsDefined()
  @ValidateNested()
  @Type(() => RetryPolicyDto)
  retry: RetryPolicyDto;

  /** Prompt variables for every call; a contact's own variables win. @example {"clinic_name":"Acme Dental"} */
  @IsOmittable()
  @IsStringRecord(VARIABLES)
  @IsStorableText()
  dynamicVariables?: Record<string, string>;
}

export class ListCampaignsQueryDto extends PageQueryDto {
  /** Only campaigns in this state. */
  @IsOptional()
  @IsIn(CAMPAIGN_STATUSES)
  status?: CampaignStatus;
}

export class ListTargetsQueryDto extends PageQueryDto {
  /** Only targets in this state. */
  @IsOptional()
  @IsIn(['pending', 'dialling', 'done', 'skipped', 'cancelled'])
  status?: TargetStatus;
}

export class OutcomeCountsDto {
  completed: number;
  noAnswer: number;
  busy: number;
  voicemail: number;
  error: number;
  /** Numbers that cannot be called (invalid destination, marked as spam, …): never retried. */
  failed: number;
}

export class CampaignProgressDto {
  /** @example 1000 */
  targets: number;
  /** Waiting for a window, a retry delay or a free line. @example 640 */
  pending: number;
  /** An attempt under way. @example 5 */
  dialling: number;
  /** Finished targets, by their final outcome. */
  completed: OutcomeCountsDto;
  /** Finished without reaching the person (the outcomes other than `completed`, summed). @example 40 */
  failed: number;
  /** Skipped as do-not-call (or their contact was deleted). @example 3 */
  skippedDoNotCall: number;
  /** Not called because the campaign was cancelled first. @example 0 */
  cancelled: number;
}

export class CampaignScheduleResponseDto {
  startAt: Date | null;
  /** @example "America/New_York" */
  timezone: string;
  windows: CallingWindowDto[];
}

export class CampaignResponseDto {
  /** @example 7 */
  id: number;
  /** @example "December appointment reminders" */
  name: string;
  /** @example 12 */
  agentId: number;
  /** @example "+14155550123" */
  fromNumber: string | null;
  @ApiProperty({ enum: CAMPAIGN_STATUSES, example: 'running' })
  status: CampaignStatus;
  /**
   * Why it is paused: `requested` (pause), `minutes_cap` (the tenant's monthly minutes cap was reached),
   * `no_phone_number` (the agent has no active number to call from). Resume when the cause is gone.
   */
  @ApiProperty({ enum: PAUSE_REASONS, nullable: true, example: null })
  pauseReason: PauseReason | null;
  schedule: CampaignScheduleResponseDto;
  /** @example 5 */
  maxConcurrency: number | null;
  retry: RetryPolicyDto;
  /** @example {"clinic_name":"Acme Dental"} */
  dynamicVariables: Record<string, string> | null;
  progress: CampaignProgressDto;
  startedAt: Date | null;
  completedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;

  static fromEntity(campaign: Campaign, progress: CampaignProgressDto): CampaignResponseDto {
    return {
      id: campaign.id,
      name: campaign.name,
      agentId: campaign.agent.id,
      fromNumber: campaign.fromNumber ?? null,
      status: campaign.status,
      pauseReason: campaign.pauseReason ?? null,
      schedule: {
        startAt: campaign.schedule.startAt ? new Date(campaign.schedule.startAt) : null,
        timezone: campaign.schedule.timezone,
        windows: campaign.schedule.windows,
      },
      maxConcurrency: campaign.maxConcurrency ?? null,
      retry: campaign.retry,
      dynamicVariables: campaign.dynamicVariables ?? null,
      progress,
      startedAt: campaign.startedAt ?? null,
      completedAt: campaign.completedAt ?? null,
      createdAt: campaign.createdAt,
      updatedAt: campaign.updatedAt,
    };
  }
}

export class CampaignPageDto extends PageOf(CampaignResponseDto) {}

const TARGET_OUTCOMES = ['completed', 'no_answer', 'busy', 'voicemail', 'error', 'failed', 'do_not_call', 'contact_deleted'] as const;

export class TargetAttemptDto {
  /** @example 1 */
  attempt: number;
  /** Our call id (`GET /calls/:id`). @example 501 */
  callId: number | null;
  @ApiProperty({ enum: TARGET_OUTCOMES, example: 'no_answer' })
  outcome: TargetOutcome;
  /** Retell's reason. @example "dial_no_answer" */
  disconnectionReason: string | null;
  at: Date;
}

export class CampaignTargetResponseDto {
  /** @example 90 */
  id: number;
  /** @example 31 */
  contactId: number | null;
  /** @example "+14155550199" */
  phoneNumber: string;
  @ApiProperty({ enum: ['pending', 'dialling', 'done', 'skipped', 'cancelled'], example: 'done' })
  status: TargetStatus;
  /** The final outcome (done or skipped), else null. */
  @ApiProperty({ enum: TARGET_OUTCOMES, nullable: true, example: 'completed' })
  outcome: TargetOutcome | null;
  /** Attempts made so far. @example 2 */
  attempts: number;
  /** Our ids of the target's calls, oldest first. @example [501,544] */
  callIds: number[];
  /** Each finished attempt. */
  history: TargetAttemptDto[];
  /** When a pending target may be dialled next (a window opening or a retry delay); null: as soon as a line is free. */
  nextAttemptAt: Date | null;
  updatedAt: Date;

  static fromEntity(target: CampaignTarget): CampaignTargetResponseDto {
    const history = target.history.map((entry: TargetAttempt) => ({ ...entry, at: new Date(entry.at) }));
    const callIds = history.map((entry) => entry.callId).filter((id): id is number => id !== null);
    if (target.callId && !callIds.includes(target.callId)) callIds.push(target.callId);
    return {
      id: target.id,
      contactId: target.contact?.id ?? null,
      phoneNumber: target.phoneNumber,
      status: target.status,
      outcome: target.outcome ?? null,
      attempts: target.attempts,
      callIds,
      history,
      nextAttemptAt: target.status === 'pending' ? (target.nextAttemptAt ?? null) : null,
      updatedAt: target.updatedAt,
    };
  }
}

export class CampaignTargetPageDto extends PageOf(CampaignTargetResponseDto) {}
