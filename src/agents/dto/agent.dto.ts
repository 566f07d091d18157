import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { CreateAgentToolDto } from '../../agent-tools/dto/agent-tool.dto.js';
import { MAX_TOOLS_PER_AGENT } from '../../agent-tools/tool-types.js';
import { PageQueryDto } from '../../common/pagination/page.dto.js';
import { MAX_ANALYSIS_FIELDS, POST_CALL_ANALYSIS_MODELS, type PostCallAnalysisType } from '../post-call-analysis.js';
import { IsOmittable } from '../../common/validation/present.decorator.js';
import { CreateLlmConfigurationDto } from '../../llm-configurations/dto/llm-configuration.dto.js';
import {
  END_CALL_AFTER_SILENCE_MS,
  MAX_CALL_DURATION_MS,
  RETELL_LANGUAGES,
  VOICEMAIL_ACTIONS,
  VOICEMAIL_TEXT_MAX,
  type RetellLanguage,
} from '../outbound-settings.js';

/** What the agent does when an outbound call reaches voicemail (Retell's `voicemail_option`). */
export class VoicemailDto {
  /** `hangup`, or `leave_message` (speaks `text`, then hangs up). @example "leave_message" */
  @IsIn(VOICEMAIL_ACTIONS)
  @ApiProperty({ enum: VOICEMAIL_ACTIONS })
  action: (typeof VOICEMAIL_ACTIONS)[number];

  /** Required with `leave_message`, not allowed with `hangup`. @example "Hi, this is Ava from Springfield Dental: please call us back at 555-0100." */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(VOICEMAIL_TEXT_MAX)
  @Matches(/\S/, { message: 'must not be blank' })
  text?: string;
}

/**
 * The settings outbound calling needs, sent to Retell; each one unset (or null) keeps Retell's default. Shared by
 * create and update (where null resets to Retell's default).
 */
class OutboundSettingsDto {
  /** The language the agent speaks and understands (one of Retell's locales; Retell's default en-US). @example "en-US" */
  @IsOptional()
  @IsIn(RETELL_LANGUAGES)
  @ApiPropertyOptional({ enum: RETELL_LANGUAGES, nullable: true })
  language?: RetellLanguage | null;

  /** Longest a call may last, in ms: 60000 (1 min) to 7200000 (2 h); Retell's default 3600000. @example 600000 */
  @IsOptional()
  @IsInt()
  @Min(MAX_CALL_DURATION_MS.min)
  @Max(MAX_CALL_DURATION_MS.max)
  maxCallDurationMs?: number | null;

  /** End the call when the other side stays silent this long after the agent spoke, in ms: 10000 to 7200000; Retell's default 600000. @example 30000 */
  @IsOptional()
  @IsInt()
  @Min(END_CALL_AFTER_SILENCE_MS.min)
  @Max(END_CALL_AFTER_SILENCE_MS.max)
  endCallAfterSilenceMs?: number | null;

  /** On reaching voicemail: hang up or leave a message. Unset or null: no voicemail detection (Retell's default). */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => VoicemailDto)
  @ApiPropertyOptional({
    type: VoicemailDto,
    nullable: true,
    example: { action: 'leave_message', text: 'Hi, this is Ava from Springfield Dental: please call us back at 555-0100.' },
  })
  voicemail?: VoicemailDto | null;
}

/** One value Retell extracts from each call, under `analysis.custom_analysis_data[name]`. */
export class PostCallAnalysisFieldDto {
  /** @example "enum" */
  @ApiProperty({ enum: ['string', 'enum', 'boolean', 'number'] })
  type: PostCallAnalysisType;
  /** Unique within the agent; letters, digits, `_`, `-`. @example "visit_reason" */
  name: string;
  /** What to extract, for Retell's model. @example "Why the caller wants to visit" */
  description: string;
  /** Required for (and only for) `enum`: the allowed values. @example ["dinner","lunch","event"] */
  choices?: string[];
}

/** Post-call analysis: Retell's `post_call_analysis_data` and `post_call_analysis_model`. */
export class PostCallAnalysisDto {
  /** At most 50. */
  @ApiProperty({ type: [PostCallAnalysisFieldDto], maxItems: MAX_ANALYSIS_FIELDS })
  fields: PostCallAnalysisFieldDto[];
  /** Retell's model for the analysis (Retell's default: gpt-4.1). @example "gpt-4.1-mini" */
  @ApiPropertyOptional({ enum: POST_CALL_ANALYSIS_MODELS })
  model?: string;
}

export class CreateAgentDto extends OutboundSettingsDto {
  /** Shown in lists and sent to Retell as `agent_name`. @example "Front desk" */
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(/\S/, { message: 'must not be blank' })
  name: string;

  /** For people; not sent to Retell. @example "Answers the main line of the Springfield office" */
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  /** A voice from `GET /voices`. @example "11labs-Adrian" */
  @IsString()
  @MinLength(1)
  @MaxLength(50)
  voiceId: string;

  /** The Retell LLM the agent runs on. */
  @IsDefined()
  @ValidateNested()
  @Type(() => CreateLlmConfigurationDto)
  llmConfiguration: CreateLlmConfigurationDto;

  /**
   * Tools the LLM may call; names must be unique.
   * @example [{"toolType":"end_call","toolConfig":{"name":"end_call","description":"Hang up when the caller is done"}}]
   */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_TOOLS_PER_AGENT)
  @ValidateNested({ each: true })
  @Type(() => CreateAgentToolDto)
  tools?: CreateAgentToolDto[];

  /** Values Retell extracts from each call (checked field by field; see PostCallAnalysisDto). */
  @IsOptional()
  @IsObject()
  postCallAnalysis?: PostCallAnalysisDto;
}

/**
 * `name`, `voiceId`, the post-call analysis and the outbound settings go to Retell (onto the agent's draft);
 * `description` and `isActive` are ours only.
 * Written out instead of `PartialType(...)`: that would let `null` through for the NOT NULL columns.
 */
export class UpdateAgentDto extends OutboundSettingsDto {
  /** @example "Front desk (after hours)" */
  @IsOmittable()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(/\S/, { message: 'must not be blank' })
  name?: string;

  /** Null clears it. @example "Answers the Springfield office after hours" */
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  /** @example "openai-Nova" */
  @IsOmittable()
  @IsString()
  @MinLength(1)
  @MaxLength(50)
  voiceId?: string;

  /** An inactive agent stays at Retell; it is a flag for this API's users. @example true */
  @IsOmittable()
  @IsBoolean()
  isActive?: boolean;

  /**
   * Replaces the post-call analysis (sent to Retell, onto the draft); null removes it.
   * @example {"fields":[{"type":"enum","name":"visit_reason","description":"Why the caller called","choices":["booking","billing","other"]}]}
   */
  @IsOptional()
  @IsObject()
  postCallAnalysis?: PostCallAnalysisDto | null;
}

const toBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

// No examples on the filters: Swagger UI pre-fills them, so a first "Execute" would silently filter the list.
export class ListAgentsQueryDto extends PageQueryDto {
  /** Only active (true) or inactive (false) agents. */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  isActive?: boolean;

  /** Case-insensitive text the name contains (taken literally: `%` and `_` are not wildcards); empty matches all. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class PublishAgentDto {
  /** Your label for the version being published. @example "Holiday hours" */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  versionTitle?: string;

  /** @example "Adds the holiday schedule to the prompt" */
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  versionDescription?: string;
}
