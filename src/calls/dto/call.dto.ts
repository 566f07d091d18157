import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ApiSchemaExample } from '../../common/openapi/schema-example.js';
import { IsIsoDateTime } from '../../common/validation/iso-date-time.js';
import { PageOf, PageQueryDto } from '../../common/pagination/page.dto.js';
import { IsE164 } from '../../common/validation/phone-number.js';
import { IsOmittable } from '../../common/validation/present.decorator.js';
import { IsJsonObject, IsStringRecord } from '../../common/validation/records.js';
import type { Call, CallDirection, CallType } from '../call.entity.js';
import type { CallListRow } from '../call.repository.js';

const VARIABLES = { maxKeys: 50, maxValueLength: 1000 };
const METADATA = { maxBytes: 16_384 };

/** What every call can carry, phone or web. Each field may be left out, but `null` is refused (Retell would be sent it). */
export class CreateWebCallDto {
  /** Values for the agent prompt's `{{variables}}`; Retell takes strings only. @example {"customer_name":"Ada"} */
  @IsOmittable()
  @IsStringRecord(VARIABLES)
  dynamicVariables?: Record<string, string>;

  /** Your own data, kept with the call (at most 16 KB). @example {"crm_ticket":"T-1234"} */
  @IsOmittable()
  @IsJsonObject(METADATA)
  metadata?: Record<string, unknown>;
}

// Without `fromNumber`: the agent's own number is used, and an example number would not be one of the caller's.
@ApiSchemaExample({ toNumber: '+14155550199', dynamicVariables: { customer_name: 'Ada' }, metadata: { crm_ticket: 'T-1234' } })
export class CreateCallDto extends CreateWebCallDto {
  /** Who to call, E.164. @example "+14155550199" */
  @IsE164()
  toNumber: string;

  /** One of your active numbers; defaults to the agent's oldest active number. @example "+14155550123" */
  @IsOmittable()
  @IsE164()
  fromNumber?: string;
}

// No examples on the filters: Swagger UI pre-fills them, so a first "Execute" would silently filter the list.
export class CallListQueryDto extends PageQueryDto {
  /** Only this agent's calls. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  agentId?: number;

  /** Retell's call status. */
  @IsOptional()
  @IsIn(['registered', 'ongoing', 'ended', 'not_connected', 'error'])
  status?: string;

  /** inbound or outbound (web calls are inbound). */
  @IsOptional()
  @IsIn(['inbound', 'outbound'])
  direction?: CallDirection;

  /** Created at or after (ISO 8601). */
  @IsOptional()
  @IsIsoDateTime()
  from?: string;

  /** Created before (ISO 8601). */
  @IsOptional()
  @IsIsoDateTime()
  to?: string;
}

type AnalysisValue = string | number | boolean;
const isAnalysisValue = (value: unknown): value is AnalysisValue => ['string', 'number', 'boolean'].includes(typeof value);

/** Retell's analysis of a call, typed. Values of another type than documented are left out. */
export class CallAnalysisDto {
  /** @example "The caller booked a table for two at 7pm." */
  call_summary?: string;
  /** Positive, Negative, Neutral or Unknown. @example "Positive" */
  user_sentiment?: string;
  /** Whether the agent reached the call's goal. @example true */
  call_successful?: boolean;
  /** Whether the call reached a voicemail. @example false */
  in_voicemail?: boolean;
  /** The agent's `postCallAnalysis` fields by name: strings, numbers (for `number`) and booleans. */
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
    example: { party_size: 2, wants_newsletter: false, visit_reason: 'dinner' },
  })
  custom_analysis_data?: Record<string, AnalysisValue>;

  static from(stored: Record<string, unknown> | null | undefined): CallAnalysisDto | null {
    if (!stored || typeof stored !== 'object' || Array.isArray(stored)) return null;
    const analysis: CallAnalysisDto = {};
    if (typeof stored.call_summary === 'string') analysis.call_summary = stored.call_summary;
    if (typeof stored.user_sentiment === 'string') analysis.user_sentiment = stored.user_sentiment;
    if (typeof stored.call_successful === 'boolean') analysis.call_successful = stored.call_successful;
    if (typeof stored.in_voicemail === 'boolean') analysis.in_voicemail = stored.in_voicemail;
    const custom = stored.custom_analysis_data;
    if (custom && typeof custom === 'object' && !Array.isArray(custom)) {
      analysis.custom_analysis_data = Object.fromEntries(Object.entries(custom).filter(([, value]) => isAnalysisValue(value)));
    }
    return analysis;
  }
}

@ApiExtraModels(CallAnalysisDto)
export class CallResponseDto {
  /** @example 42 */
  id: number;
  /** @example 7 */
  agentId: number;
  /** Retell's id of the call. */
  retellCallId: string;
  /** @example "phone_call" */
  callType: CallType;
  /** Web calls count as inbound: a person calls the agent from a browser. @example "outbound" */
  direction: CallDirection;
  /** null for web calls. @example "+14155550123" */
  fromNumber: string | null;
  /** null for web calls. @example "+14155550199" */
  toNumber: string | null;
  /** registered, ongoing, ended, not_connected or error. @example "ended" */
  status: string;
  /** Whole seconds. @example 42 */
  durationSeconds: number | null;
  startedAt: Date | null;
  endedAt: Date | null;
  /** Retell's reason, e.g. agent_hangup, dial_no_answer. */
  disconnectionReason: string | null;
  recordingUrl: string | null;
  publicLogUrl: string | null;
  /** Retell's post-call analysis, once `call_analyzed` arrived. */
  // Written out without `type: object`: next to it, `nullable` would not admit null under JSON Schema's allOf.
  @ApiProperty({ allOf: [{ $ref: getSchemaPath(CallAnalysisDto) }], nullable: true })
  analysis: CallAnalysisDto | null;
  /**
   * Retell's cost breakdown, in cents.
   * @example {"product_costs":[{"product":"retell_voice_engine","unit_price":0.1167,"cost":4.9014},{"product":"retell_llm","unit_price":0.025,"cost":1.05},{"product":"telephony","unit_price":0.025,"cost":1.05}],"total_duration_seconds":42,"total_duration_unit_price":0.1667,"combined_cost":7.0014}
   */
  cost: Record<string, unknown> | null;
  /** Your own data, as sent when the call was placed. @example {"crm_ticket":"T-1234"} */
  metadata: Record<string, unknown> | null;
  /** @example {"customer_name":"Ada"} */
  dynamicVariables: Record<string, string> | null;
  /**
   * Your contact with the other party's number (outbound: `toNumber`, inbound: `fromNumber`); for a call recorded
   * before the contact existed, the contact holding that number now. null for web calls and unknown numbers.
   * @example 12
   */
  contactId: number | null;
  createdAt: Date;
  updatedAt: Date;

  static fromEntity(call: Call | CallListRow): CallResponseDto {
    return {
      id: call.id,
      agentId: call.agent.id,
      retellCallId: call.retellCallId,
      callType: call.callType,
      direction: call.direction,
      fromNumber: call.fromNumber ?? null,
      toNumber: call.toNumber ?? null,
      status: call.status,
      durationSeconds: call.duration ?? null,
      startedAt: call.startedAt ?? null,
      endedAt: call.endedAt ?? null,
      disconnectionReason: call.disconnectionReason ?? null,
      recordingUrl: call.recordingUrl ?? null,
      publicLogUrl: call.publicLogUrl ?? null,
      analysis: CallAnalysisDto.from(call.callAnalysis),
      cost: call.callCost ?? null,
      metadata: call.metadata ?? null,
      dynamicVariables: call.dynamicVariables ?? null,
      contactId: call.contact?.id ?? null,
      createdAt: call.createdAt,
      updatedAt: call.updatedAt,
    };
  }
}

export class CallDetailResponseDto extends CallResponseDto {
  /** The conversation as text. */
  transcript: string | null;
  /**
   * Utterances: `{ role, content, words? }`.
   * @example [{"role":"agent","content":"Hello, Acme Dental, how can I help?","words":[{"word":"Hello,","start":0.4,"end":0.9}]},{"role":"user","content":"I'd like to confirm my appointment."}]
   */
  transcriptObject: unknown[] | null;

  static override fromEntity(call: Call): CallDetailResponseDto {
    return { ...CallResponseDto.fromEntity(call), transcript: call.transcript ?? null, transcriptObject: call.transcriptObject ?? null };
  }
}

export class WebCallResponseDto {
  call: CallResponseDto;
  /** Pass to Retell's web client SDK to join the call. */
  accessToken: string;
}

export class CallPageDto extends PageOf(CallResponseDto) {}
