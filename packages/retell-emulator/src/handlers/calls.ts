import type { Retell } from 'retell-sdk';
import { newPhoneCall, newWebCall, pickWeightedAgent, resolveAgent, storeCall, type CallExtras, type ResolvedAgent } from '../call-factory.js';
import { callFilter } from '../call-filters.js';
import { assetNotFound, badRequest, created, noContent, ok } from '../http.js';
import { pageRequestFromBody, paginate, type SortKey } from '../pagination.js';
import type { Route } from '../router.js';
import type { CallView, StoredCall } from '../state.js';
import { checkDynamicVariables, checkE164, checkFields, isObject, requireFields, type JsonObject } from '../validation.js';
import { toVersionRef } from '../versioning.js';
import type { HandlerContext } from './context.js';
import { admitCall } from './concurrency.js';

/** `metadata` is capped at 50 kB (SDK `CallUpdateParams`). */
const MAX_METADATA_BYTES = 50_000;

/** create-phone-call `idempotency_key`s are honoured for one hour. */
const IDEMPOTENCY_WINDOW_MS = 60 * 60 * 1000;

/** From least to most restrictive; Retell refuses to loosen a call's setting. */
const STORAGE_SETTINGS = ['everything', 'everything_except_pii', 'basic_attributes_only'] as const;

/** The transcript fields list-calls leaves out (fetch get-call for them). */
const TRANSCRIPT_FIELDS = [
  'transcript',
  'transcript_object',
  'transcript_with_tool_calls',
  'scrubbed_transcript_with_tool_calls',
] as const;

function checkMetadata(metadata: unknown): void {
  if (metadata === undefined) return;
  if (!isObject(metadata)) throw badRequest('metadata must be an object.');
  if (Buffer.byteLength(JSON.stringify(metadata)) > MAX_METADATA_BYTES) throw badRequest('metadata must be at most 50 kB.');
}

/** Checks and extracts the fields both kinds of call creation share. */
function callExtras(body: JsonObject): CallExtras {
  checkFields(body, { custom_sip_headers: { kind: 'stringMap' }, agent_override: { kind: 'object' } });
  checkMetadata(body.metadata);
  checkDynamicVariables(body.retell_llm_dynamic_variables, 'retell_llm_dynamic_variables');
  return {
    metadata: body.metadata,
    retell_llm_dynamic_variables: body.retell_llm_dynamic_variables as Record<string, string> | undefined,
    custom_sip_headers: body.custom_sip_headers as Record<string, string> | undefined,
  };
}

/** list-calls items are the V3 shape: everything but the transcripts. */
function listView(call: CallView): JsonObject {
  const item: JsonObject = { ...call };
  for (const field of TRANSCRIPT_FIELDS) delete item[field];
  return item;
}

const callSortKey = (stored: StoredCall): SortKey => [stored.call.start_timestamp ?? stored.createdAt, stored.seq];

export function callRoutes(ctx: HandlerContext): Route[] {
  const { state } = ctx;

  function findCall(callId: string): StoredCall {
    const stored = state.calls.get(callId);
    if (!stored) throw assetNotFound();
    return stored;
  }

  /** The agent an outbound call runs: the override if given, else one of the number's weighted outbound agents. */
  function outboundAgent(body: JsonObject, fromNumber: Retell.PhoneNumberResponse): ResolvedAgent {
    if (body.override_agent_id !== undefined) {
      if (typeof body.override_agent_id !== 'string') throw badRequest('override_agent_id must be a string.');
      return resolveAgent(state, body.override_agent_id, toVersionRef(body.override_agent_version, 'override_agent_version'));
    }
    const agents = fromNumber.outbound_agents ?? [];
    if (agents.length === 0) {
      throw badRequest(`${fromNumber.phone_number} has no outbound agent; bind one with outbound_agents or pass override_agent_id.`);
    }
    return pickWeightedAgent(state, agents);
  }

  function replayedCall(key: unknown): StoredCall | undefined {
    if (key === undefined) return undefined;
    if (typeof key !== 'string' || !/^[A-Za-z0-9_-]{5,255}$/.test(key)) {
      throw badRequest('idempotency_key must be 5-255 letters, digits, underscores or dashes.');
    }
    const entry = state.idempotencyKeys.get(key);
    return entry && entry.expiresAt > ctx.now() ? state.calls.get(entry.callId) : undefined;
  }

  return [
    {
      method: 'POST',
      path: '/v2/create-phone-call',
      handler: ({ body }) => {
        requireFields(body, ['from_number', 'to_number']);
        checkFields(body, { from_number: { kind: 'string' }, to_number: { kind: 'string' }, ignore_e164_validation: { kind: 'boolean' } });
        const replay = replayedCall(body.idempotency_key);
        if (replay) return created(replay.call);
        const extras = callExtras(body);
        const toNumber = body.ignore_e164_validation === true ? (body.to_number as string) : checkE164(body.to_number, 'to_number');
        const fromNumber = state.phoneNumbers.get(body.from_number as string);
        if (!fromNumber) throw assetNotFound();
        const resolved = outboundAgent(body, fromNumber.view);
        admitCall(ctx);
        const call = newPhoneCall({ resolved, direction: 'outbound', retellNumber: fromNumber, from_number: fromNumber.view.phone_number, to_number: toNumber, extras });
        const now = ctx.now();
        const stored = storeCall(state, call, ctx.scenarioFor({ agentId: resolved.agent.id, toNumber }), now);
        if (typeof body.idempotency_key === 'string') {
          state.idempotencyKeys.set(body.idempotency_key, { callId: call.call_id, expiresAt: now + IDEMPOTENCY_WINDOW_MS });
        }
        ctx.beginCall(stored);
        return created(call);
      },
    },
    {
      method: 'POST',
      path: '/v3/create-web-call',
      handler: ({ body }) => {
        requireFields(body, ['agent_id']);
        checkFields(body, { agent_id: { kind: 'string' } });
        const extras = callExtras(body);
        const resolved = resolveAgent(state, body.agent_id as string, toVersionRef(body.agent_version, 'agent_version'));
        admitCall(ctx);
        const now = ctx.now();
        const { call, expiresAt } = newWebCall(resolved, extras, now, ctx.apiKey);
        ctx.beginCall(storeCall(state, call, ctx.scenarioFor({ agentId: resolved.agent.id }), now));
        return created({
          call_id: call.call_id,
          access_token: call.access_token,
          expires_at: expiresAt,
          ice_servers: [{ urls: 'stun:stun.l.google.com:19302' }],
          transport: 'gateway',
        });
      },
    },
    {
      method: 'GET',
      path: '/v2/get-call/{call_id}',
      handler: ({ params }) => ok(findCall(params.call_id!).call),
    },
    {
      method: 'POST',
      path: '/v3/list-calls',
      handler: ({ body }) => {
        const request = pageRequestFromBody(body);
        checkFields(body, { include_total: { kind: 'boolean' } });
        const matches = callFilter(body.filter_criteria);
        const matching = [...state.calls.values()].filter((stored) => matches(stored.call));
        const page = paginate(matching, request, {
          keyOf: (stored) => stored.call.call_id,
          sortKeyOf: callSortKey,
          cursorSortKey: (key) => {
            const live = state.calls.get(key);
            return live ? callSortKey(live) : state.tombstones.get(key);
          },
        });
        return ok({
          ...page,
          items: page.items.map((stored) => listView(stored.call)),
          ...(body.include_total === true && { total: matching.length }),
        });
      },
    },
    {
      method: 'PATCH',
      path: '/v2/update-call/{call_id}',
      handler: ({ params, body }) => {
        const stored = findCall(params.call_id!);
        checkMetadata(body.metadata);
        checkFields(body, { data_storage_setting: { kind: 'enum', values: STORAGE_SETTINGS }, custom_attributes: { kind: 'object' } });
        const setting = body.data_storage_setting as (typeof STORAGE_SETTINGS)[number] | undefined;
        const current = stored.call.data_storage_setting ?? 'everything';
        if (setting !== undefined && STORAGE_SETTINGS.indexOf(setting) < STORAGE_SETTINGS.indexOf(current)) {
          throw badRequest(`data_storage_setting cannot be loosened from ${current} to ${setting}.`);
        }
        // custom_attributes keys must match attributes defined in the dashboard; none exist here, so all are ignored.
        if (body.metadata !== undefined) stored.call.metadata = body.metadata;
        if (setting !== undefined) stored.call.data_storage_setting = setting;
        return ok(stored.call);
      },
    },
    {
      method: 'DELETE',
      path: '/v2/delete-call/{call_id}',
      handler: ({ params }) => {
        const stored = findCall(params.call_id!);
        if (isLive(stored.call)) throw badRequest('The call is still in progress; stop it before deleting it.');
        state.calls.delete(stored.call.call_id);
        state.tombstones.set(stored.call.call_id, callSortKey(stored));
        return noContent();
      },
    },
    {
      method: 'POST',
      path: '/v2/stop-call/{call_id}',
      handler: ({ params }) => {
        const stored = findCall(params.call_id!);
        if (!isLive(stored.call)) throw badRequest('The call is not ongoing.');
        ctx.stopCall(stored);
        return noContent();
      },
    },
  ];
}

export const isLive = (call: CallView): boolean => call.call_status === 'registered' || call.call_status === 'ongoing';
