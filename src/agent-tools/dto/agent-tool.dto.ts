import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject } from 'class-validator';
import { IsOmittable } from '../../common/validation/present.decorator.js';
import { RETELL_TOOL_TYPES, type ToolType } from '../tool-types.js';

const TOOL_CONFIG_DOC =
  "The tool as Retell's `general_tools[]` takes it, without `type`: `name` (letters, digits, `_`, `-`, at most 64, " +
  'unique per agent) and the fields of that type, e.g. `url` for `custom` (https, public host), `code` for `code`, ' +
  '`transfer_destination` and `transfer_option` for `transfer_call`. Unknown fields are refused. `agent_id` in ' +
  "`agent_swap` (and in an agentic warm transfer) must be the `retellAgentId` of one of the caller's agents.";

export class CreateAgentToolDto {
  /** One of Retell's general tool types. @example "custom" */
  @IsIn(RETELL_TOOL_TYPES)
  @ApiProperty({ enum: RETELL_TOOL_TYPES })
  toolType: ToolType;

  @IsObject()
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: TOOL_CONFIG_DOC,
    example: { name: 'lookup_order', description: 'Looks up an order by number', url: 'https://api.example.com/orders/lookup', method: 'POST' },
  })
  toolConfig: Record<string, unknown>;
}

/**
 * `toolConfig`, when given, replaces the whole configuration (checked against `toolType`, the new one if it changes
 * too). Changing `toolType` needs a `toolConfig` for the new type.
 */
export class UpdateAgentToolDto {
  @IsOmittable()
  @IsIn(RETELL_TOOL_TYPES)
  @ApiPropertyOptional({ enum: RETELL_TOOL_TYPES, example: 'custom' })
  toolType?: ToolType;

  @IsOmittable()
  @IsObject()
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: TOOL_CONFIG_DOC,
    example: {
      name: 'lookup_order',
      description: 'Looks up an order by its number or by the caller’s phone number',
      url: 'https://api.example.com/orders/lookup',
      method: 'POST',
      timeout_ms: 10000,
    },
  })
  toolConfig?: Record<string, unknown>;
}
