import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { ApiSchemaExample } from '../../common/openapi/schema-example.js';
import { IsOmittable } from '../../common/validation/present.decorator.js';
import { RETELL_S2S_MODELS, RETELL_TEXT_MODELS, type RetellS2sModel, type RetellTextModel } from '../retell-models.js';

/** Retell bills prompts over 3,500 tokens extra and refuses those over 32,768 tokens (about 4 characters each). */
export const MAX_PROMPT_LENGTH = 120_000;
export const MAX_BEGIN_MESSAGE_LENGTH = 2000;
export const MAX_MCP_SERVERS = 10;

/** An MCP server whose tools the LLM may call (Retell's `mcps[]`). Retell connects to it from its cloud. */
export class McpServerDto {
  /** Unique among this configuration's servers. @example "crm" */
  @IsString()
  @Matches(/^[a-zA-Z0-9_-]{1,64}$/, { message: 'must be 1-64 letters, digits, "_" or "-"' })
  name: string;

  /** https, on a public host (no loopback, private or link-local addresses). @example "https://mcp.example.com/sse" */
  @IsString()
  @MaxLength(2048)
  url: string;

  /** Sent when connecting, e.g. an authorization header. @example {"Authorization":"Bearer abc"} */
  @IsOptional()
  @IsObject()
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  headers?: Record<string, string>;

  /** Appended to the URL when connecting. @example {"tenant":"acme"} */
  @IsOptional()
  @IsObject()
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  queryParams?: Record<string, string>;

  /** Connection timeout in milliseconds (Retell's default: 120000). @example 30000 */
  @IsOptional()
  @IsInt()
  @Min(1000)
  @Max(600_000)
  timeoutMs?: number;
}

/**
 * The Retell LLM behind an agent. Exactly one of `model` (a text LLM, with Retell's own speech pipeline) or
 * `s2sModel` (a speech-to-speech model).
 */
@ApiSchemaExample({
  model: 'gpt-4.1',
  temperature: 0.2,
  highPriority: false,
  generalPrompt: 'You are the front desk of Acme Dental. Be brief and friendly.',
  beginMessage: 'Hello, Acme Dental, how can I help?',
})
export class CreateLlmConfigurationDto {
  /** A Retell text model. @example "gpt-4.1" */
  @IsOptional()
  @IsIn(RETELL_TEXT_MODELS)
  model?: RetellTextModel | null;

  /** A Retell speech-to-speech model, instead of `model`. @example "gpt-realtime" */
  @IsOptional()
  @IsIn(RETELL_S2S_MODELS)
  s2sModel?: RetellS2sModel | null;

  /** Randomness, 0 to 1 (default 0; lower is better for tool calls). @example 0.2 */
  @IsOmittable()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  temperature?: number;

  /** Dedicated capacity for lower, steadier latency, at a higher price (default false). @example false */
  @IsOmittable()
  @IsBoolean()
  highPriority?: boolean;

  /** The system prompt. @example "You are the front desk of Acme Dental. Be brief and friendly." */
  @IsOptional()
  @IsString()
  @MaxLength(MAX_PROMPT_LENGTH)
  generalPrompt?: string | null;

  /** The agent's first words. Null: the LLM decides; "": the agent waits for the caller. @example "Hello, Acme Dental, how can I help?" */
  @IsOptional()
  @IsString()
  @MaxLength(MAX_BEGIN_MESSAGE_LENGTH)
  beginMessage?: string | null;

  /** MCP servers whose tools `mcp` tools refer to. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_MCP_SERVERS)
  @ValidateNested({ each: true })
  @Type(() => McpServerDto)
  mcps?: McpServerDto[] | null;
}

/**
 * Every field is optional; the result must still have exactly one model: setting `model` clears `s2sModel` and the
 * other way round. Nullable fields (`generalPrompt`, `beginMessage`, `mcps`) are cleared with null.
 * Written out rather than `PartialType(...)`: the create DTO already marks each field's null handling.
 */
@ApiSchemaExample({ temperature: 0.3, beginMessage: 'Hello, Acme Dental, this is the front desk. How can I help?' })
export class UpdateLlmConfigurationDto extends CreateLlmConfigurationDto {}
