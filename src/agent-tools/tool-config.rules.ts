import {
  arrayOf,
  bool,
  byType,
  either,
  FieldErrors,
  int,
  isPlainObject,
  join,
  jsonObject,
  object,
  oneOf,
  str,
  stringMap,
  unsupported,
  type FieldSpec,
  type Rule,
} from '../common/validation/json-rules.js';
import { publicUrlProblem, type UrlPolicy } from '../common/urls/public-url.js';
import type { ToolOf, ToolType } from './tool-types.js';

/** Retell's rule for tool names ("a-z, A-Z, 0-9, underscores and dashes, max length 64, no space"). */
export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
/** A whole tool configuration, as JSON. Retell has no documented cap; this keeps one tool from filling a request. */
export const MAX_TOOL_CONFIG_BYTES = 64 * 1024;

interface RequiredField extends FieldSpec {
  required: true;
}
interface OptionalField extends FieldSpec {
  required?: false;
}
/**
 * One rule per field of the SDK's type for this tool (minus `type`, which is `tool_type`), required exactly where
 * the SDK requires it: adding, dropping or making a field optional in a retell-sdk upgrade is a compile error here.
 */
type FieldsOf<T> = { [K in Exclude<keyof T, 'type'>]-?: object extends Pick<T, K> ? OptionalField : RequiredField };

const required = (rule: Rule): RequiredField => ({ rule, required: true });
const optional = (rule: Rule): OptionalField => ({ rule });

const E164_OR_VARIABLE = /^(\+[1-9]\d{6,14}|\{\{[A-Za-z0-9_]{1,64}\}\})$/;
const DYNAMIC_VARIABLE = /^\{\{[A-Za-z0-9_]{1,64}\}\}$/;

const toolName = str({ min: 1, max: 64, pattern: TOOL_NAME_PATTERN, patternMessage: 'must be 1-64 letters, digits, "_" or "-" (no spaces)' });
const text = (max = 4000) => str({ max });
const prompt = str({ min: 1, max: 10_000 });
const executionMessageType = oneOf('prompt', 'static_text');
const durationMs = (min: number, max: number) => int(min, max);
const responseVariables = stringMap({ maxEntries: 50, maxValue: 500 });
const headers = stringMap({ maxEntries: 30, keyPattern: /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/, maxValue: 4000 });
const queryParams = stringMap({ maxEntries: 30, maxValue: 2000 });
const agentVersion = either(int(0, 1_000_000), str({ min: 1, max: 64 }), 'must be a version number or a version tag');

const timezone: Rule = (value, path, errors) => {
  if (typeof value !== 'string') return errors.add(path, 'must be a string');
  if (DYNAMIC_VARIABLE.test(value)) return;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
  } catch {
    errors.add(path, 'must be an IANA time zone such as America/New_York, or a {{dynamic_variable}}');
  }
};

const calEventTypeId = either(
  int(1, Number.MAX_SAFE_INTEGER),
  str({ pattern: DYNAMIC_VARIABLE }),
  'must be a positive integer or a {{dynamic_variable}}',
);

const CUSTOM_MUSIC = unsupported('is not supported: this API has no way to upload on-hold music assets');
const onHoldMusic: Rule = (value, path, errors) => {
  if (value === 'custom') return errors.add(path, 'custom on-hold music is not supported by this API');
  oneOf('none', 'relaxing_sound', 'uplifting_beats', 'ringtone')(value, path, errors);
};

/** `{type?: 'prompt', prompt?}` or `{type?: 'static_message', message?}`. */
const handoffOption: Rule = (value, path, errors) => {
  if (isPlainObject(value) && value.type === 'static_message') {
    object({ type: optional(oneOf('static_message')), message: optional(text()) })(value, path, errors);
  } else {
    object({ type: optional(oneOf('prompt')), prompt: optional(text(10_000)) })(value, path, errors);
  }
};

const transferDestination = byType({
  predefined: {
    number: required(str({ pattern: E164_OR_VARIABLE, patternMessage: 'must be an E.164 number (+14155550123) or a {{dynamic_variable}}' })),
    extension: optional(str({ max: 32, pattern: /^([0-9*#]+|\{\{[A-Za-z0-9_]{1,64}\}\})$/, patternMessage: 'must be digits, "*", "#" or a {{dynamic_variable}}' })),
  },
  inferred: { prompt: required(prompt) },
});

const ringDuration = optional(durationMs(1000, 300_000));
const transferOption = byType({
  cold_transfer: {
    cold_transfer_mode: optional(oneOf('sip_refer', 'sip_invite')),
    show_transferee_as_caller: optional(bool),
    transfer_ring_duration_ms: ringDuration,
  },
  warm_transfer: {
    agent_detection_timeout_ms: optional(durationMs(1000, 300_000)),
    custom_on_hold_music_asset_id: optional(CUSTOM_MUSIC),
    enable_bridge_audio_cue: optional(bool),
    ivr_option: optional(object({ type: optional(oneOf('prompt')), prompt: optional(text(10_000)) })),
    on_hold_music: optional(onHoldMusic),
    opt_out_human_detection: optional(bool),
    private_handoff_option: optional(handoffOption),
    public_handoff_option: optional(handoffOption),
    show_transferee_as_caller: optional(bool),
    transfer_ring_duration_ms: ringDuration,
  },
  agentic_warm_transfer: {
    agentic_transfer_config: required(
      object({
        action_on_timeout: optional(oneOf('bridge_transfer', 'cancel_transfer')),
        transfer_agent: optional(object({ agent_id: required(str({ min: 1, max: 100 })), agent_version: required(agentVersion) })),
        transfer_timeout_ms: optional(durationMs(1000, 600_000)),
      }),
    ),
    custom_on_hold_music_asset_id: optional(CUSTOM_MUSIC),
    enable_bridge_audio_cue: optional(bool),
    on_hold_music: optional(onHoldMusic),
    public_handoff_option: optional(handoffOption),
    show_transferee_as_caller: optional(bool),
    transfer_ring_duration_ms: ringDuration,
  },
});

const smsContent = byType({
  predefined: { text: optional(str({ max: 1600 })) },
  inferred: { prompt: optional(text(10_000)) },
  template: { template: required(oneOf('info_collection')) },
});

const variableName = str({ min: 1, max: 64, pattern: /^[A-Za-z0-9_]{1,64}$/, patternMessage: 'must be 1-64 letters, digits or "_"' });
const variableCommon = {
  description: required(text(2000)),
  name: required(variableName),
  conditional_prompt: optional(text(2000)),
  required: optional(bool),
};
const dynamicVariable = byType({
  string: { ...variableCommon, examples: optional(arrayOf(str({ max: 500 }), { max: 20 })) },
  enum: { ...variableCommon, choices: required(arrayOf(str({ min: 1, max: 200 }), { min: 1, max: 100 })) },
  boolean: variableCommon,
  number: variableCommon,
});

const jsonSchemaParameters = object({
  type: required(oneOf('object')),
  properties: required(jsonObject(32 * 1024)),
  required: optional(arrayOf(str({ min: 1, max: 200 }), { max: 100 })),
});

function toolFields(policy: UrlPolicy): { [T in ToolType]: FieldsOf<ToolOf<T>> } {
  const publicUrl: Rule = (value, path, errors) => {
    const problem = publicUrlProblem(value, policy);
    if (problem) errors.add(path, problem);
  };
  const speech = {
    description: optional(text()),
    execution_message_description: optional(text()),
    execution_message_type: optional(executionMessageType),
    speak_during_execution: optional(bool),
  };
  const cal = {
    name: required(toolName),
    cal_api_key: required(str({ min: 1, max: 200 })),
    event_type_id: required(calEventTypeId),
    description: optional(text()),
    timezone: optional(timezone),
  };
  return {
    end_call: { name: required(toolName), ...speech },
    transfer_call: {
      name: required(toolName),
      transfer_destination: required(transferDestination),
      transfer_option: required(transferOption),
      custom_sip_headers: optional(stringMap({ maxEntries: 20, keyPattern: /^X-[A-Za-z0-9-]{1,64}$/, maxValue: 500 })),
      ignore_e164_validation: optional(bool),
      ...speech,
    },
    check_availability_cal: cal,
    book_appointment_cal: cal,
    agent_swap: {
      name: required(toolName),
      agent_id: required(str({ min: 1, max: 100 })),
      post_call_analysis_setting: required(oneOf('both_agents', 'only_destination_agent')),
      agent_version: optional(agentVersion),
      keep_current_language: optional(bool),
      keep_current_voice: optional(bool),
      webhook_setting: optional(oneOf('both_agents', 'only_destination_agent', 'only_source_agent')),
      ...speech,
    },
    press_digit: { name: required(toolName), delay_ms: optional(int(0, 5000)), description: optional(text()) },
    send_sms: { name: required(toolName), sms_content: required(smsContent), ...speech },
    custom: {
      name: required(toolName),
      url: required(publicUrl),
      method: optional(oneOf('GET', 'POST', 'PUT', 'PATCH', 'DELETE')),
      parameters: optional(jsonSchemaParameters),
      parameter_type: optional(oneOf('json', 'form')),
      args_at_root: optional(bool),
      headers: optional(headers),
      query_params: optional(queryParams),
      response_variables: optional(responseVariables),
      timeout_ms: optional(durationMs(1000, 600_000)),
      max_retry: optional(int(0, 5)),
      enable_typing_sound: optional(bool),
      speak_after_execution: optional(bool),
      ...speech,
    },
    code: {
      name: required(toolName),
      code: required(str({ min: 1, max: 20_000 })),
      timeout_ms: optional(durationMs(1000, 600_000)),
      response_variables: optional(responseVariables),
      enable_typing_sound: optional(bool),
      speak_after_execution: optional(bool),
      ...speech,
    },
    extract_dynamic_variable: {
      name: required(toolName),
      description: required(text()),
      variables: required(arrayOf(dynamicVariable, { min: 1, max: 50 })),
      enable_typing_sound: optional(bool),
    },
    bridge_transfer: { name: required(toolName), ...speech },
    cancel_transfer: { name: required(toolName), ...speech },
    mcp: {
      ...speech,
      name: required(toolName),
      description: required(text()),
      mcp_id: optional(str({ min: 1, max: 100 })),
      input_schema: optional(stringMap({ maxEntries: 50, maxValue: 2000 })),
      response_variables: optional(responseVariables),
      enable_typing_sound: optional(bool),
      speak_after_execution: optional(bool),
    },
  };
}

const cache = new Map<boolean, ReturnType<typeof toolFields>>();

/**
 * Checks a tool configuration against its type: required fields, value ranges, no unknown fields, public https URLs.
 * Problems are added under `path` (e.g. `toolConfig` or `tools.2.toolConfig`).
 */
export function validateToolConfig(toolType: ToolType, config: unknown, path: string, errors: FieldErrors, policy: UrlPolicy): void {
  let fields = cache.get(policy.allowPrivate);
  if (!fields) cache.set(policy.allowPrivate, (fields = toolFields(policy)));
  if (isPlainObject(config) && JSON.stringify(config).length > MAX_TOOL_CONFIG_BYTES) {
    return errors.add(path, `must be at most ${MAX_TOOL_CONFIG_BYTES} bytes as JSON`);
  }
  object(fields[toolType] as Record<string, FieldSpec>)(config, path, errors);
}

/**
 * Retell agent ids a tool configuration points at (agent swap, agentic warm transfer). The caller must own them:
 * otherwise a tenant could route its callers into another tenant's agent.
 */
export function referencedAgentIds(toolType: ToolType, config: Record<string, unknown>, path: string): Array<{ field: string; agentId: string }> {
  if (toolType === 'agent_swap' && typeof config.agent_id === 'string') return [{ field: join(path, 'agent_id'), agentId: config.agent_id }];
  if (toolType !== 'transfer_call' || !isPlainObject(config.transfer_option)) return [];
  const agentic = config.transfer_option.agentic_transfer_config;
  const target = isPlainObject(agentic) && isPlainObject(agentic.transfer_agent) ? agentic.transfer_agent.agent_id : undefined;
  return typeof target === 'string'
    ? [{ field: join(path, 'transfer_option.agentic_transfer_config.transfer_agent.agent_id'), agentId: target }]
    : [];
}
