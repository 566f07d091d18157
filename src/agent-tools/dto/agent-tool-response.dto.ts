import { ApiProperty } from '@nestjs/swagger';
import { PageOf } from '../../common/pagination/page.dto.js';
import type { AgentToolRow } from '../agent-tool.repository.js';
import { RETELL_TOOL_TYPES } from '../tool-types.js';

export class AgentToolResponseDto {
  /** @example 31 */
  id: number;
  /** @example 12 */
  agentId: number;
  /** @example "custom" */
  @ApiProperty({ enum: RETELL_TOOL_TYPES })
  toolType: string;
  /** @example "lookup_order" */
  name: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { name: 'lookup_order', description: 'Looks up an order by number', url: 'https://api.example.com/orders/lookup', method: 'POST' },
  })
  toolConfig: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;

  static fromEntity(this: void, tool: AgentToolRow): AgentToolResponseDto {
    return {
      id: tool.id,
      agentId: tool.agent.id,
      toolType: tool.toolType,
      name: tool.name,
      toolConfig: tool.toolConfig,
      createdAt: tool.createdAt,
      updatedAt: tool.updatedAt,
    };
  }
}

export class AgentToolPageDto extends PageOf(AgentToolResponseDto) {}
