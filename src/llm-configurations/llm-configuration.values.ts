import type Retell from 'retell-sdk';
import { publicUrlProblem, type UrlPolicy } from '../common/urls/public-url.js';
import { FieldErrors, join, stringMap } from '../common/validation/json-rules.js';
import type { CreateLlmConfigurationDto, McpServerDto } from './dto/llm-configuration.dto.js';
import type { McpServer } from './llm-configuration.entity.js';
import type { RetellS2sModel, RetellTextModel } from './retell-models.js';

/** Everything we keep about a Retell LLM except its tools (which agent-tools owns). */
export interface LlmValues {
  model: string | null;
  s2sModel: string | null;
  temperature: number;
  highPriority: boolean;
  generalPrompt: string | null;
  beginMessage: string | null;
  mcps: McpServer[] | null;
}

export const EMPTY_LLM_VALUES: LlmValues = {
  model: null,
  s2sModel: null,
  temperature: 0,
  highPriority: false,
  generalPrompt: null,
  beginMessage: null,
  mcps: null,
};

const headerMap = stringMap({ maxEntries: 30, keyPattern: /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/, maxValue: 4000 });
const queryMap = stringMap({ maxEntries: 30, maxValue: 2000 });

/**
 * Applies a create or update body to the current values. The result always has exactly one model: choosing one kind
 * clears the other, and a body that would leave none or both is reported under `path.model`.
 */
export function mergeLlmValues(
  current: LlmValues,
  dto: CreateLlmConfigurationDto,
  path: string,
  errors: FieldErrors,
  policy: UrlPolicy,
): LlmValues {
  let model = current.model;
  let s2sModel = current.s2sModel;
  if (dto.model !== undefined) {
    model = dto.model;
    if (dto.model !== null && dto.s2sModel === undefined) s2sModel = null;
  }
  if (dto.s2sModel !== undefined) {
    s2sModel = dto.s2sModel;
    if (dto.s2sModel !== null && dto.model === undefined) model = null;
  }
  if (model !== null && s2sModel !== null) errors.add(join(path, 'model'), 'set either model or s2sModel, not both');
  if (model === null && s2sModel === null) errors.add(join(path, 'model'), 'one of model or s2sModel is required');
  return {
    model,
    s2sModel,
    temperature: dto.temperature ?? current.temperature,
    highPriority: dto.highPriority ?? current.highPriority,
    generalPrompt: dto.generalPrompt === undefined ? current.generalPrompt : dto.generalPrompt,
    beginMessage: dto.beginMessage === undefined ? current.beginMessage : dto.beginMessage,
    mcps: dto.mcps === undefined ? current.mcps : dto.mcps === null ? null : toMcpServers(dto.mcps, join(path, 'mcps'), errors, policy),
  };
}

function toMcpServers(servers: McpServerDto[], path: string, errors: FieldErrors, policy: UrlPolicy): McpServer[] {
  const names = new Set<string>();
  return servers.map((server, index) => {
    const at = join(path, index);
    if (names.has(server.name)) errors.add(join(at, 'name'), 'must be unique among the MCP servers');
    names.add(server.name);
    const problem = publicUrlProblem(server.url, policy);
    if (problem) errors.add(join(at, 'url'), problem);
    if (server.headers !== undefined) headerMap(server.headers, join(at, 'headers'), errors);
    if (server.queryParams !== undefined) queryMap(server.queryParams, join(at, 'queryParams'), errors);
    return {
      name: server.name,
      url: server.url,
      ...(server.headers && { headers: server.headers }),
      ...(server.queryParams && { query_params: server.queryParams }),
      ...(server.timeoutMs !== undefined && { timeout_ms: server.timeoutMs }),
    };
  });
}

export function sameLlmValues(a: LlmValues, b: LlmValues): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The Retell LLM fields we own, all of them on every write: an edit Retell applied but we never recorded (a timeout
 * after Retell committed) is overwritten by the next one instead of lingering. `general_tools` is left out here:
 * the tools are sent by whoever changes them.
 */
export function toRetellLlmFields(values: LlmValues): Retell.LlmUpdateParams {
  return {
    model: values.model as RetellTextModel | null,
    s2s_model: values.s2sModel as RetellS2sModel | null,
    model_temperature: values.temperature,
    model_high_priority: values.highPriority,
    general_prompt: values.generalPrompt,
    begin_message: values.beginMessage,
    mcps: values.mcps,
  };
}
