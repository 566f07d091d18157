import { randomInt } from 'node:crypto';
import type { Retell } from 'retell-sdk';
import { assetNotFound } from './http.js';
import { newCallId, newTwilioCallSid, newWebCallAccessToken } from './ids.js';
import type { Scenario } from './scenarios.js';
import type { EmulatorState, StoredAgent, StoredCall, StoredPhoneNumber } from './state.js';
import type { JsonObject } from './validation.js';
import { resolveVersion, toVersionRef, type Version, type VersionRef } from './versioning.js';

export interface ResolvedAgent {
  agent: StoredAgent;
  version: Version<JsonObject>;
}

/** An agent (and version; the latest by default) that a call will run; 422 when either does not exist. */
export function resolveAgent(state: EmulatorState, agentId: string, ref: VersionRef | undefined): ResolvedAgent {
  const agent = state.agents.get(agentId);
  const version = agent && resolveVersion(agent, ref);
  if (!agent || !version) throw assetNotFound();
  return { agent, version };
}

type AgentWeight = NonNullable<Retell.PhoneNumberResponse['outbound_agents']>[number];

/** Picks one agent of a weighted list, with probability proportional to its weight, as Retell does per call. */
export function pickWeightedAgent(state: EmulatorState, weights: readonly AgentWeight[]): ResolvedAgent {
  let roll = randomInt(1_000_000) / 1_000_000;
  const chosen = weights.find((entry) => (roll -= entry.weight) < 0) ?? weights.at(-1)!;
  return resolveAgent(state, chosen.agent_id, toVersionRef(chosen.agent_version, 'agent_version'));
}

/** Optional request fields that a call echoes back when they were provided. */
export interface CallExtras {
  metadata?: unknown;
  retell_llm_dynamic_variables?: Record<string, string>;
  custom_sip_headers?: Record<string, string>;
}

function commonFields({ agent, version }: ResolvedAgent, extras: CallExtras) {
  const name = version.config.agent_name;
  const storage = version.config.data_storage_setting;
  return {
    call_id: newCallId(),
    agent_id: agent.id,
    agent_version: version.version,
    ...(typeof name === 'string' && { agent_name: name }),
    call_status: 'registered' as const,
    ...(extras.metadata !== undefined && { metadata: extras.metadata }),
    ...(extras.retell_llm_dynamic_variables !== undefined && { retell_llm_dynamic_variables: extras.retell_llm_dynamic_variables }),
    ...(extras.custom_sip_headers !== undefined && { custom_sip_headers: extras.custom_sip_headers }),
    data_storage_setting: (storage ?? 'everything') as Retell.PhoneCallResponse['data_storage_setting'],
    opt_in_signed_url: version.config.opt_in_signed_url === true,
  };
}

export interface PhoneCallInput {
  resolved: ResolvedAgent;
  direction: 'inbound' | 'outbound';
  /** The Retell number the call goes through (the caller for outbound calls, the callee for inbound ones). */
  retellNumber: StoredPhoneNumber;
  from_number: string;
  to_number: string;
  extras: CallExtras;
}

export function newPhoneCall(input: PhoneCallInput): Retell.PhoneCallResponse {
  return {
    ...commonFields(input.resolved, input.extras),
    call_type: 'phone_call',
    direction: input.direction,
    from_number: input.from_number,
    to_number: input.to_number,
    ...(input.retellNumber.view.phone_number_type === 'retell-twilio' && { telephony_identifier: { twilio_call_sid: newTwilioCallSid() } }),
  };
}

/** Retell's web-call tokens must be used within 30 seconds. */
const WEB_CALL_TOKEN_TTL_MS = 30_000;

export function newWebCall(resolved: ResolvedAgent, extras: CallExtras, now: number, signingKey: string): { call: Retell.WebCallResponse; expiresAt: number } {
  const common = commonFields(resolved, extras);
  const expiresAt = now + WEB_CALL_TOKEN_TTL_MS;
  return {
    call: { ...common, call_type: 'web_call', access_token: newWebCallAccessToken(common.call_id, expiresAt, signingKey) },
    expiresAt,
  };
}

export function storeCall(state: EmulatorState, call: Retell.PhoneCallResponse | Retell.WebCallResponse, scenario: Scenario, now: number): StoredCall {
  const stored: StoredCall = { seq: state.nextSeq(), createdAt: now, call, scenario };
  state.calls.set(call.call_id, stored);
  if (call.call_status === 'registered' || call.call_status === 'ongoing') state.callStarted(call.call_id);
  return stored;
}
