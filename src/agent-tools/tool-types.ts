import type { Retell } from 'retell-sdk';

/** Retell documents no limit; this keeps the list sent on every change (and the prompt Retell builds) bounded. */
export const MAX_TOOLS_PER_AGENT = 50;

/** A general tool as retell-sdk types it (`general_tools[]` of create/update-retell-llm). */
export type RetellGeneralTool = NonNullable<Retell.LlmCreateParams['general_tools']>[number];
type SdkToolType = RetellGeneralTool['type'];

/** Retell's 13 general tool types, in the SDK's order. Checked against the SDK below, like the model lists. */
export const RETELL_TOOL_TYPES = [
  'end_call',
  'transfer_call',
  'check_availability_cal',
  'book_appointment_cal',
  'agent_swap',
  'press_digit',
  'send_sms',
  'custom',
  'code',
  'extract_dynamic_variable',
  'bridge_transfer',
  'cancel_transfer',
  'mcp',
] as const satisfies readonly SdkToolType[];

export type ToolType = (typeof RETELL_TOOL_TYPES)[number];

type ExpectNone<T extends never> = T;
export type ToolTypesCoverTheSdk = ExpectNone<Exclude<SdkToolType, ToolType>>;

/** The SDK's shape of one tool type, e.g. `ToolOf<'custom'>` = `LlmCreateParams.CustomTool`. */
export type ToolOf<T extends ToolType> = Extract<RetellGeneralTool, { type: T }>;

/** A tool as we store it (`tool_type` + `tool_config`) becomes one element of Retell's `general_tools`. */
export function toRetellTool(tool: { toolType: string; toolConfig: Record<string, unknown> }): RetellGeneralTool {
  return { ...tool.toolConfig, type: tool.toolType } as RetellGeneralTool;
}
