import type { McpServer } from '../llm-configuration.entity.js';
import type { LlmConfigurationRow } from '../llm-configuration.repository.js';

export class McpServerResponseDto {
  /** @example "crm" */
  name: string;
  /** @example "https://mcp.example.com/sse" */
  url: string;
  /** @example {"X-Tenant":"acme"} */
  headers: Record<string, string> | null;
  /** @example {"tenant":"acme"} */
  queryParams: Record<string, string> | null;
  /** @example 30000 */
  timeoutMs: number | null;

  static fromStored(this: void, server: McpServer): McpServerResponseDto {
    return {
      name: server.name,
      url: server.url,
      headers: server.headers ?? null,
      queryParams: server.query_params ?? null,
      timeoutMs: server.timeout_ms ?? null,
    };
  }
}

/** An agent's LLM configuration. Exactly one of `model` and `s2sModel` is set. */
export class LlmConfigurationResponseDto {
  /** @example 12 */
  agentId: number;
  /** @example "gpt-4.1" */
  model: string | null;
  /** @example null */
  s2sModel: string | null;
  /** @example 0.2 */
  temperature: number;
  /** @example false */
  highPriority: boolean;
  /** @example "You are the front desk of Acme Dental." */
  generalPrompt: string | null;
  /** @example "Hello, Acme Dental, how can I help?" */
  beginMessage: string | null;
  mcps: McpServerResponseDto[];
  createdAt: Date;
  updatedAt: Date;

  static fromEntity(this: void, config: LlmConfigurationRow): LlmConfigurationResponseDto {
    return {
      agentId: config.agent.id,
      model: config.model ?? null,
      s2sModel: config.s2sModel ?? null,
      temperature: config.temperature,
      highPriority: config.highPriority,
      generalPrompt: config.generalPrompt ?? null,
      beginMessage: config.beginMessage ?? null,
      mcps: (config.mcps ?? []).map(McpServerResponseDto.fromStored),
      createdAt: config.createdAt,
      updatedAt: config.updatedAt,
    };
  }
}
