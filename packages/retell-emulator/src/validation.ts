import { assetNotFound, badRequest } from './http.js';

export type JsonObject = Record<string, unknown>;

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

type FieldKind = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'stringArray' | 'stringMap' | 'enum';

/** A declarative check for one optional body field, so each resource lists its fields as data instead of code. */
export interface FieldRule {
  kind: FieldKind;
  nullable?: boolean;
  min?: number;
  max?: number;
  /** For `enum`. */
  values?: readonly string[];
}

export type FieldRules = Readonly<Record<string, FieldRule>>;

function ruleMatches(value: unknown, rule: FieldRule): boolean {
  switch (rule.kind) {
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'number':
    case 'integer': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return false;
      if (rule.kind === 'integer' && !Number.isInteger(value)) return false;
      return (rule.min === undefined || value >= rule.min) && (rule.max === undefined || value <= rule.max);
    }
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'stringArray':
      return Array.isArray(value) && value.every((item) => typeof item === 'string');
    case 'stringMap':
      return isObject(value) && Object.values(value).every((item) => typeof item === 'string');
    case 'enum':
      return typeof value === 'string' && (rule.values ?? []).includes(value);
  }
}

function describeRule(rule: FieldRule): string {
  const range =
    rule.min !== undefined && rule.max !== undefined
      ? ` between ${rule.min} and ${rule.max}`
      : rule.min !== undefined
        ? ` of at least ${rule.min}`
        : rule.max !== undefined
          ? ` of at most ${rule.max}`
          : '';
  const descriptions: Record<FieldKind, string> = {
    string: 'a string',
    number: `a number${range}`,
    integer: `an integer${range}`,
    boolean: 'a boolean',
    object: 'an object',
    array: 'an array',
    stringArray: 'an array of strings',
    stringMap: 'an object whose values are strings',
    enum: `one of ${(rule.values ?? []).join(', ')}`,
  };
  return descriptions[rule.kind] + (rule.nullable ? ' or null' : '');
}

/** Checks every field of `body` that has a rule; fields without a rule are left alone (Retell has hundreds). */
export function checkFields(body: JsonObject, rules: FieldRules, prefix = ''): void {
  for (const [field, rule] of Object.entries(rules)) {
    const value = body[field];
    if (value === undefined || (value === null && rule.nullable)) continue;
    if (!ruleMatches(value, rule)) throw badRequest(`${prefix}${field} must be ${describeRule(rule)}.`);
  }
}

export function requireFields(body: JsonObject, fields: readonly string[], prefix = ''): void {
  for (const field of fields) {
    if (body[field] === undefined || body[field] === null) throw badRequest(`${prefix}${field} is required.`);
  }
}

/** Drops server-controlled fields a client may echo back (e.g. a fetched object sent to an update). */
export function omitFields(body: JsonObject, fields: readonly string[]): JsonObject {
  return Object.fromEntries(Object.entries(body).filter(([key]) => !fields.includes(key)));
}

const E164 = /^\+[1-9]\d{1,14}$/;

export function checkE164(value: unknown, field: string): string {
  if (typeof value !== 'string' || !E164.test(value)) {
    throw badRequest(`${field} must be a phone number in E.164 format (e.g. +14157774444).`);
  }
  return value;
}

export function checkHttpUrl(value: unknown, field: string): void {
  if (value === undefined || value === null) return;
  let protocol: string | undefined;
  try {
    protocol = typeof value === 'string' ? new URL(value).protocol : undefined;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'http:' && protocol !== 'https:') throw badRequest(`${field} must be an http(s) URL.`);
}

/** Retell only substitutes string values into prompts, and rejects anything else. */
export function checkDynamicVariables(value: unknown, field: string): void {
  if (value === undefined) return;
  if (!isObject(value)) throw badRequest(`${field} must be an object of string values.`);
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') throw badRequest(`${field}.${key} must be a string; dynamic variable values are strings only.`);
  }
}

const VERSION_TAG = /^(latest|latest_published|(?!(?:latest|latest_published|v\d+)$)[a-z][a-z0-9_-]{0,19})$/;

export function isVersionReference(value: unknown): boolean {
  return (typeof value === 'number' && Number.isInteger(value) && value >= 0) || (typeof value === 'string' && VERSION_TAG.test(value));
}

/** Float tolerance for weights such as 0.1 + 0.2 + 0.7. */
const WEIGHT_EPSILON = 1e-6;

/**
 * `inbound_agents` / `outbound_agents`: `[{agent_id, agent_version?, weight}]` with weights in (0, 1] adding up to 1.
 * An unknown agent is a missing asset (422), like any other unknown id.
 */
export function checkAgentWeights(value: unknown, field: string, agentExists: (agentId: string) => boolean): void {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) throw badRequest(`${field} must be an array of {agent_id, agent_version?, weight}.`);
  let total = 0;
  value.forEach((entry: unknown, index) => {
    const at = `${field}[${index}]`;
    if (!isObject(entry)) throw badRequest(`${at} must be an object.`);
    if (typeof entry.agent_id !== 'string' || entry.agent_id === '') throw badRequest(`${at}.agent_id is required.`);
    if (entry.agent_version !== undefined && !isVersionReference(entry.agent_version)) {
      throw badRequest(`${at}.agent_version must be a version number, "latest" or "latest_published".`);
    }
    const weight = entry.weight;
    if (typeof weight !== 'number' || !(weight > 0 && weight <= 1)) throw badRequest(`${at}.weight must be a number in (0, 1].`);
    total += weight;
  });
  if (value.length > 0 && Math.abs(total - 1) > WEIGHT_EPSILON) throw badRequest(`The weights in ${field} must add up to 1.`);
  // A well-formed list naming a missing agent is a missing asset, checked only once the shape is right.
  if (value.some((entry: JsonObject) => !agentExists(entry.agent_id as string))) throw assetNotFound();
}

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** Required fields per tool type besides `type` and `name` (SDK 5.66.1 `LlmCreateParams` and the OpenAPI `Tool`). */
const TOOL_REQUIRED_FIELDS: Readonly<Record<string, readonly string[]>> = {
  end_call: [],
  transfer_call: ['transfer_destination', 'transfer_option'],
  check_availability_cal: ['cal_api_key', 'event_type_id'],
  book_appointment_cal: ['cal_api_key', 'event_type_id'],
  agent_swap: ['agent_id', 'post_call_analysis_setting'],
  press_digit: [],
  send_sms: ['sms_content'],
  custom: ['url'],
  code: ['code'],
  extract_dynamic_variable: ['description', 'variables'],
  bridge_transfer: [],
  cancel_transfer: [],
  mcp: ['description'],
  integration_app: ['app_id', 'provider', 'app_tool_template_name'],
};

function checkTool(tool: unknown, at: string, seenNames: Set<string>): void {
  if (!isObject(tool)) throw badRequest(`${at} must be an object.`);
  if (typeof tool.type !== 'string' || !(tool.type in TOOL_REQUIRED_FIELDS)) {
    throw badRequest(`${at}.type must be one of ${Object.keys(TOOL_REQUIRED_FIELDS).join(', ')}.`);
  }
  if (typeof tool.name !== 'string' || !TOOL_NAME.test(tool.name)) {
    throw badRequest(`${at}.name must match ^[a-zA-Z0-9_-]{1,64}$ (letters, digits, underscores and dashes, no spaces).`);
  }
  if (seenNames.has(tool.name)) throw badRequest(`Tool name "${tool.name}" is used more than once; tool names must be unique.`);
  seenNames.add(tool.name);
  requireFields(tool, TOOL_REQUIRED_FIELDS[tool.type]!, `${at}.`);
}

/** Tool names must be unique across the general tools and every state's tools. */
export function checkTools(generalTools: unknown, states: unknown): void {
  const seenNames = new Set<string>();
  if (Array.isArray(generalTools)) generalTools.forEach((tool, i) => checkTool(tool, `general_tools[${i}]`, seenNames));
  if (!Array.isArray(states)) return;
  states.forEach((state: unknown, i) => {
    if (!isObject(state) || typeof state.name !== 'string') throw badRequest(`states[${i}].name is required.`);
    if (state.tools === undefined || state.tools === null) return;
    if (!Array.isArray(state.tools)) throw badRequest(`states[${i}].tools must be an array.`);
    state.tools.forEach((tool, j) => checkTool(tool, `states[${i}].tools[${j}]`, seenNames));
  });
}

/** Query-string booleans as the SDK serialises them. */
export function parseBooleanQuery(query: URLSearchParams, name: string): boolean | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw badRequest(`${name} must be true or false.`);
}
