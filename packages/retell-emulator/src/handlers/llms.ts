import { newLlmId } from '../ids.js';
import { assetNotFound, badRequest, created, noContent, ok } from '../http.js';
import { pageRequestFromQuery, paginate } from '../pagination.js';
import type { Route } from '../router.js';
import type { StoredLlm } from '../state.js';
import { checkFields, checkTools, isObject, omitFields, parseBooleanQuery, type FieldRules, type JsonObject } from '../validation.js';
import { commitEdit, editBase, initialVersions, latestVersion, parseVersionQuery, resolveVersion, type Version } from '../versioning.js';
import type { HandlerContext } from './context.js';

const LLM_RULES: FieldRules = {
  general_prompt: { kind: 'string', nullable: true },
  begin_message: { kind: 'string', nullable: true },
  model: { kind: 'string', nullable: true },
  s2s_model: { kind: 'string', nullable: true },
  model_temperature: { kind: 'number', min: 0, max: 1 },
  model_high_priority: { kind: 'boolean', nullable: true },
  tool_call_strict_mode: { kind: 'boolean', nullable: true },
  general_tools: { kind: 'array', nullable: true },
  states: { kind: 'array', nullable: true },
  starting_state: { kind: 'string', nullable: true },
  default_dynamic_variables: { kind: 'stringMap', nullable: true },
  knowledge_base_ids: { kind: 'stringArray', nullable: true },
  kb_config: { kind: 'object', nullable: true },
  mcps: { kind: 'array', nullable: true },
  start_speaker: { kind: 'enum', values: ['user', 'agent'] },
  begin_after_user_silence_ms: { kind: 'integer', min: 0, nullable: true },
  is_transfer_llm: { kind: 'boolean', nullable: true },
};

/**
 * Model names drift faster than any hard-coded list (SDK 5.66.1 already knows `gpt-5.6-terra`), so only the family
 * prefix is checked: enough to catch `gpt4o`-style typos without rejecting models newer than the emulator.
 */
const TEXT_MODEL = /^(gpt|claude|gemini)-[a-z0-9.-]+$/;
const S2S_MODEL = /^gpt-realtime(-[a-z0-9.-]+)?$/;

/** Retell's documented default text model for this API revision. */
const DEFAULT_MODEL = 'gpt-5.6-terra';

const SERVER_FIELDS = ['llm_id', 'version', 'is_published', 'last_modification_timestamp'];

function checkLlmBody(body: JsonObject): void {
  checkFields(body, LLM_RULES);
  if (typeof body.model === 'string' && !TEXT_MODEL.test(body.model)) throw badRequest(`model "${body.model}" is not a supported model.`);
  if (typeof body.s2s_model === 'string' && !S2S_MODEL.test(body.s2s_model)) {
    throw badRequest(`s2s_model "${body.s2s_model}" is not a supported speech-to-speech model.`);
  }
  if (body.model != null && body.s2s_model != null) throw badRequest('Set either model or s2s_model, not both.');
  checkTools(body.general_tools, body.states);
}

/**
 * The configuration after an update. Choosing one kind of model clears the other, so switching an LLM between text
 * and speech-to-speech takes one field instead of also sending the old one as null.
 */
function mergeUpdate(current: JsonObject, body: JsonObject): JsonObject {
  const config = { ...structuredClone(current), ...omitFields(body, SERVER_FIELDS) };
  if (body.s2s_model != null && body.model === undefined) config.model = null;
  if (body.model != null && body.s2s_model === undefined) config.s2s_model = null;
  checkTools(config.general_tools, config.states);
  return config;
}

function view(llm: StoredLlm, version: Version<JsonObject>): JsonObject {
  return {
    llm_id: llm.id,
    version: version.version,
    is_published: version.is_published,
    ...version.config,
    last_modification_timestamp: version.last_modification_timestamp,
  };
}

export function llmRoutes(ctx: HandlerContext): Route[] {
  const { state } = ctx;

  function findLlm(llmId: string): StoredLlm {
    const llm = state.llms.get(llmId);
    if (!llm) throw assetNotFound();
    return llm;
  }

  function agentsUsing(llmId: string): string[] {
    return [...state.agents.values()]
      .filter((agent) =>
        agent.versions.some((v) => {
          const engine = v.config.response_engine;
          return isObject(engine) && engine.type === 'retell-llm' && engine.llm_id === llmId;
        }),
      )
      .map((agent) => agent.id);
  }

  return [
    {
      method: 'POST',
      path: '/create-retell-llm',
      handler: ({ body }) => {
        checkLlmBody(body);
        const now = ctx.now();
        const defaults: JsonObject = {
          model: body.s2s_model != null ? null : DEFAULT_MODEL,
          model_temperature: 0,
          model_high_priority: false,
          start_speaker: 'agent',
        };
        const llm: StoredLlm = {
          id: newLlmId(),
          seq: state.nextSeq(),
          versions: initialVersions({ ...defaults, ...omitFields(body, SERVER_FIELDS) }, now),
        };
        state.llms.set(llm.id, llm);
        return created(view(llm, latestVersion(llm)));
      },
    },
    {
      method: 'GET',
      path: '/get-retell-llm/{llm_id}',
      handler: ({ params, query }) => {
        const llm = findLlm(params.llm_id!);
        const version = resolveVersion(llm, parseVersionQuery(query));
        if (!version) throw assetNotFound();
        return ok(view(llm, version));
      },
    },
    {
      method: 'PATCH',
      path: '/update-retell-llm/{llm_id}',
      handler: ({ params, query, body }) => {
        const llm = findLlm(params.llm_id!);
        const ref = parseVersionQuery(query);
        checkLlmBody(body);
        const config = mergeUpdate(editBase(llm, ref).config, body);
        return ok(view(llm, commitEdit(llm, ref, config, ctx.now())));
      },
    },
    {
      method: 'DELETE',
      path: '/delete-retell-llm/{llm_id}',
      handler: ({ params, query }) => {
        const llm = findLlm(params.llm_id!);
        const users = agentsUsing(llm.id);
        if (users.length > 0 && parseBooleanQuery(query, 'force_delete') !== true) {
          throw badRequest(`Retell LLM ${llm.id} is used by agent(s) ${users.join(', ')}; delete them first or pass force_delete=true.`);
        }
        state.llms.delete(llm.id);
        state.tombstones.set(llm.id, [llm.seq, 0]);
        return noContent();
      },
    },
    {
      method: 'GET',
      path: '/v2/list-retell-llms',
      handler: ({ query }) => {
        const page = paginate([...state.llms.values()], pageRequestFromQuery(query), {
          keyOf: (llm) => llm.id,
          sortKeyOf: (llm) => [llm.seq, 0],
          cursorSortKey: (key) => (state.llms.has(key) ? [state.llms.get(key)!.seq, 0] : state.tombstones.get(key)),
        });
        return ok({ ...page, items: page.items.map((llm) => view(llm, latestVersion(llm))) });
      },
    },
  ];
}
