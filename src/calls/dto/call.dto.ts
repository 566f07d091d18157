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
  /**
   * Retell's post-call analysis (set last: once it is here, the call is complete).
   * @example {"call_summary":"The agent confirmed the appointment for tomorrow at 10 AM.","user_sentiment":"Positive","call_successful":true,"in_voicemail":false}
   */
  analysis: Record<string, unknown> | null;
  /**
   * Retell's cost breakdown, in cents.
   * @example {"product_costs":[{"product":"retell_voice_engine","unit_price":0.1167,"cost":4.9014},{"product":"retell_llm","unit_price":0.025,"cost":1.05},{"product":"telephony","unit_price":0.025,"cost":1.05}],"total_duration_seconds":42,"total_duration_unit_price":0.1667,"combined_cost":7.0014}
   */
  cost: Record<string, unknown> | null;
  /** Your own data, as sent when the call was placed. @example {"crm_ticket":"T-1234"} */
  metadata: Record<string, unknown> | null;
  /** @example {"customer_name":"Ada"} */
  dynamicVariables: Record<string, string> | null;
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
      analysis: call.callAnalysis ?? null,
      cost: call.callCost ?? null,
      metadata: call.metadata ?? null,
      dynamicVariables: call.dynamicVariables ?? null,
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
