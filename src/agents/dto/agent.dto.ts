import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { CreateAgentToolDto } from '../../agent-tools/dto/agent-tool.dto.js';
import { MAX_TOOLS_PER_AGENT } from '../../agent-tools/tool-types.js';
import { PageQueryDto } from '../../common/pagination/page.dto.js';
import { IsOmittable } from '../../common/validation/present.decorator.js';
import { CreateLlmConfigurationDto } from '../../llm-configurations/dto/llm-configuration.dto.js';

export class CreateAgentDto {
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
}

/**
 * `name` and `voiceId` go to Retell (onto the agent's draft); `description` and `isActive` are ours only.
 * Written out instead of `PartialType(...)`: that would let `null` through for the NOT NULL columns.
 */
export class UpdateAgentDto {
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
