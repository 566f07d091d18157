import { valueMatcher, type FilterType } from './filters.js';
import { badRequest } from './http.js';
import type { CallView } from './state.js';
import { isObject, type JsonObject } from './validation.js';

type CallPredicate = (call: CallView) => boolean;

interface FilterableField {
  get(call: CallView): unknown;
  types: readonly FilterType[];
}

const prop =
  (name: string) =>
  (call: CallView): unknown =>
    (call as unknown as JsonObject)[name];

const NUMERIC: readonly FilterType[] = ['number', 'range'];

/** The `filter_criteria` fields of `POST /v3/list-calls` (OpenAPI `CallFilter`) and the filter types each takes. */
const FIELDS: Readonly<Record<string, FilterableField>> = {
  call_id: { get: prop('call_id'), types: ['string', 'enum'] },
  agent_tag: { get: prop('agent_tag'), types: ['enum'] },
  // Batch calls are not emulated, so no call belongs to one.
  batch_call_id: { get: () => undefined, types: ['string'] },
  call_status: { get: prop('call_status'), types: ['enum'] },
  call_type: { get: prop('call_type'), types: ['enum'] },
  direction: { get: prop('direction'), types: ['enum'] },
  from_number: { get: prop('from_number'), types: ['string'] },
  to_number: { get: prop('to_number'), types: ['string'] },
  disconnection_reason: { get: prop('disconnection_reason'), types: ['enum'] },
  data_storage_setting: { get: prop('data_storage_setting'), types: ['enum'] },
  user_sentiment: { get: (call) => call.call_analysis?.user_sentiment, types: ['enum'] },
  in_voicemail: { get: (call) => call.call_analysis?.in_voicemail, types: ['boolean'] },
  call_successful: { get: (call) => call.call_analysis?.call_successful, types: ['boolean'] },
  start_timestamp: { get: prop('start_timestamp'), types: NUMERIC },
  end_timestamp: { get: prop('end_timestamp'), types: NUMERIC },
  duration_ms: { get: prop('duration_ms'), types: NUMERIC },
  combined_cost: { get: (call) => call.call_cost?.combined_cost, types: NUMERIC },
  e2e_latency_p50: { get: (call) => call.latency?.e2e?.p50, types: NUMERIC },
};

/** Filters on one key of an object-valued field: `[{key, ...ValueFilter}]`. */
const KEYED_FIELDS: Readonly<Record<string, (call: CallView) => unknown>> = {
  metadata: (call) => call.metadata,
  dynamic_variables: (call) => call.retell_llm_dynamic_variables,
  custom_analysis_data: (call) => call.call_analysis?.custom_analysis_data,
  // Custom attributes must be defined in the dashboard first; none exist in the emulator.
  custom_attributes: () => undefined,
};

const ALL_TYPES: readonly FilterType[] = ['string', 'number', 'range', 'enum', 'boolean', 'present'];

function agentPredicate(value: unknown): CallPredicate {
  if (!Array.isArray(value)) throw badRequest('filter_criteria.agent must be an array of {agent_id, version?}.');
  const alternatives = value.map((entry: unknown, i) => {
    if (!isObject(entry) || typeof entry.agent_id !== 'string') throw badRequest(`filter_criteria.agent[${i}].agent_id is required.`);
    const versions = entry.version;
    if (versions !== undefined && (!Array.isArray(versions) || !versions.every((v) => typeof v === 'number'))) {
      throw badRequest(`filter_criteria.agent[${i}].version must be an array of numbers.`);
    }
    return (call: CallView) => call.agent_id === entry.agent_id && (versions === undefined || versions.includes(call.agent_version));
  });
  return (call) => alternatives.some((matches) => matches(call));
}

function keyedPredicate(name: string, get: (call: CallView) => unknown, value: unknown): CallPredicate {
  if (!Array.isArray(value)) throw badRequest(`filter_criteria.${name} must be an array of {key, type, op, value}.`);
  const checks = value.map((filter: unknown, i) => {
    const at = `filter_criteria.${name}[${i}]`;
    if (!isObject(filter) || typeof filter.key !== 'string') throw badRequest(`${at}.key is required.`);
    const matches = valueMatcher(filter, at, ALL_TYPES);
    const key = filter.key;
    return (call: CallView) => {
      const container = get(call);
      return matches(isObject(container) ? container[key] : undefined);
    };
  });
  return (call) => checks.every((matches) => matches(call));
}

/** All filters are combined with AND, as at Retell. */
export function callFilter(criteria: unknown): CallPredicate {
  if (criteria === undefined) return () => true;
  if (!isObject(criteria)) throw badRequest('filter_criteria must be an object.');
  const predicates = Object.entries(criteria).map(([name, value]): CallPredicate => {
    if (name === 'agent') return agentPredicate(value);
    const keyed = KEYED_FIELDS[name];
    if (keyed) return keyedPredicate(name, keyed, value);
    const field = FIELDS[name];
    if (!field) throw badRequest(`filter_criteria.${name} is not supported by the Retell emulator.`);
    const matches = valueMatcher(value, `filter_criteria.${name}`, field.types);
    return (call) => matches(field.get(call));
  });
  return (call) => predicates.every((matches) => matches(call));
}
