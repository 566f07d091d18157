import { ApiExtraModels, ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { AgentToolResponseDto } from '../../agent-tools/dto/agent-tool-response.dto.js';
import type { AgentToolRow } from '../../agent-tools/agent-tool.repository.js';
import { PageOf } from '../../common/pagination/page.dto.js';
import { LlmConfigurationResponseDto } from '../../llm-configurations/dto/llm-configuration-response.dto.js';
import type { LlmConfigurationRow } from '../../llm-configurations/llm-configuration.repository.js';
import type { AgentRow } from '../agent.repository.js';
import { RETELL_LANGUAGES } from '../outbound-settings.js';
import { PostCallAnalysisDto, VoicemailDto } from './agent.dto.js';

@ApiExtraModels(PostCallAnalysisDto, VoicemailDto)
export class AgentResponseDto {
  /** @example 12 */
  id: number;
  /** @example "Front desk" */
  name: string;
  /** @example "Answers the main line of the Springfield office" */
  description: string | null;
  /** @example "11labs-Adrian" */
  voiceId: string;
  /** @example true */
  isActive: boolean;
  /** Retell's id of this agent; what an `agent_swap` tool's `agent_id` names. @example "agent_8c3f2a9b1d4e5f60718293a4" */
  retellAgentId: string;
  /** Retell's latest version of the agent: the draft your edits go to, or the published version if nothing changed since. @example 1 */
  version: number;
  /** The last version published with `POST /agents/:id/publish`; null if never. @example 0 */
  publishedVersion: number | null;
  /** True when nothing (agent, LLM configuration, tools) changed since the last publish. @example false */
  isPublished: boolean;
  /** What Retell extracts after each call; null when only Retell's defaults apply. */
  // Written out without `type: object`: next to it, `nullable` would not admit null under JSON Schema's allOf.
  @ApiProperty({ allOf: [{ $ref: getSchemaPath(PostCallAnalysisDto) }], nullable: true })
  postCallAnalysis: PostCallAnalysisDto | null;
  /** The agent's language; null = Retell's default (en-US). @example "en-US" */
  @ApiProperty({ enum: RETELL_LANGUAGES, nullable: true, type: String })
  language: string | null;
  /** Longest a call may last (ms); null = Retell's default (3600000). @example 600000 */
  maxCallDurationMs: number | null;
  /** Silence after which the call ends (ms); null = Retell's default (600000). @example 30000 */
  endCallAfterSilenceMs: number | null;
  /** What to do on reaching voicemail; null = no voicemail detection (Retell's default). */
  @ApiProperty({ allOf: [{ $ref: getSchemaPath(VoicemailDto) }], nullable: true })
  voicemail: VoicemailDto | null;
  createdAt: Date;
  updatedAt: Date;

  static fromEntity(this: void, agent: AgentRow): AgentResponseDto {
    return {
      id: agent.id,
      name: agent.name,
      description: agent.description ?? null,
      voiceId: agent.voiceId,
      isActive: agent.isActive,
      retellAgentId: agent.retellAgentId,
      version: agent.version,
      publishedVersion: agent.publishedVersion ?? null,
      isPublished: agent.isPublished,
      postCallAnalysis: agent.postCallAnalysis ?? null,
      language: agent.language ?? null,
      maxCallDurationMs: agent.maxCallDurationMs ?? null,
      endCallAfterSilenceMs: agent.endCallAfterSilenceMs ?? null,
      voicemail: agent.voicemail ?? null,
      createdAt: agent.createdAt,
      updatedAt: agent.updatedAt,
    };
  }
}

/** An agent with its LLM configuration and its tools. */
export class AgentDetailResponseDto extends AgentResponseDto {
  llmConfiguration: LlmConfigurationResponseDto;
  tools: AgentToolResponseDto[];

  static fromEntities(agent: AgentRow, llmConfiguration: LlmConfigurationRow, tools: AgentToolRow[]): AgentDetailResponseDto {
    return {
      ...AgentResponseDto.fromEntity(agent),
      llmConfiguration: LlmConfigurationResponseDto.fromEntity(llmConfiguration),
      tools: tools.map(AgentToolResponseDto.fromEntity),
    };
  }
}

export class AgentPageDto extends PageOf(AgentResponseDto) {}
