import { valueMatcher } from '../filters.js';
import { assetNotFound, badRequest, created, emptyOk, noContent, ok, RetellApiError, type Reply } from '../http.js';
import { newAgentId } from '../ids.js';
import { pageRequestFromQuery, paginate } from '../pagination.js';
import type { Route, RouteRequest } from '../router.js';
import type { StoredAgent } from '../state.js';
import { checkFields, checkHttpUrl, isObject, omitFields, requireFields, type JsonObject } from '../validation.js';
import {
  addDraft,
  commitEdit,
  editBase,
  initialVersions,
  latestVersion,
  parseVersionQuery,
  resolveVersion,
  type Version,
} from '../versioning.js';
import { AGENT_DEFAULTS, AGENT_RULES, checkLanguage, checkVoice, checkVoicemailOption, SERVER_FIELDS, WEBHOOK_EVENTS } from './agent-fields.js';
import type { HandlerContext } from './context.js';

export function agentRoutes(ctx: HandlerContext): Route[] {
  const { state } = ctx;

  function findAgent(agentId: string): StoredAgent {
    const agent = state.agents.get(agentId);
    if (!agent) throw assetNotFound();
    return agent;
  }

  function checkResponseEngine(engine: unknown): void {
    if (!isObject(engine)) throw badRequest('response_engine must be an object.');
    switch (engine.type) {
      case 'retell-llm': {
        if (typeof engine.llm_id !== 'string') throw badRequest('response_engine.llm_id is required.');
        const llm = state.llms.get(engine.llm_id);
        if (!llm) throw assetNotFound();
        if (engine.version === undefined || engine.version === null) return;
        if (typeof engine.version !== 'number') throw badRequest('response_engine.version must be a number.');
        if (!resolveVersion(llm, engine.version)) throw assetNotFound();
        return;
      }
      case 'custom-llm':
        if (typeof engine.llm_websocket_url !== 'string' || !/^wss?:\/\//.test(engine.llm_websocket_url)) {
          throw badRequest('response_engine.llm_websocket_url must be a ws:// or wss:// URL.');
        }
        return;
      case 'conversation-flow':
        // The emulator serves no conversation-flow endpoints, so no such id can exist under this key.
        throw assetNotFound();
      default:
        throw badRequest('response_engine.type must be retell-llm, custom-llm or conversation-flow.');
    }
  }

  function checkAgentBody(body: JsonObject): void {
    checkFields(body, AGENT_RULES);
    checkVoice(body.voice_id, 'voice_id');
    if (Array.isArray(body.fallback_voice_ids)) body.fallback_voice_ids.forEach((id) => checkVoice(id, 'fallback_voice_ids'));
    checkLanguage(body.language);
    checkVoicemailOption(body.voicemail_option);
    checkHttpUrl(body.webhook_url, 'webhook_url');
    if (Array.isArray(body.webhook_events) && !body.webhook_events.every((e) => WEBHOOK_EVENTS.includes(e))) {
      throw badRequest(`webhook_events may only contain ${WEBHOOK_EVENTS.join(', ')}.`);
    }
    // Last, so that a malformed body is reported (400) before a missing LLM (422).
    if (body.response_engine !== undefined) checkResponseEngine(body.response_engine);
  }

  /** Title and description belong to the version, not to its configuration. */
  function applyVersionLabels(version: Version<JsonObject>, body: JsonObject): void {
    if (body.version_title !== undefined) version.version_title = body.version_title as string | null;
    if (body.version_description !== undefined) version.version_description = body.version_description as string | null;
  }

  function view(agent: StoredAgent, version: Version<JsonObject>): JsonObject {
    return {
      agent_id: agent.id,
      version: version.version,
      is_published: version.is_published,
      ...(version.base_version !== undefined && { base_version: version.base_version }),
      ...(version.version_title != null && { version_title: version.version_title }),
      ...(version.version_description != null && { version_description: version.version_description }),
      ...version.config,
      last_modification_timestamp: version.last_modification_timestamp,
    };
  }

  function create({ body }: RouteRequest): Reply {
    requireFields(body, ['response_engine', 'voice_id']);
    checkAgentBody(body);
    const now = ctx.now();
    const seq = state.nextSeq();
    const agentId = newAgentId();
    const agent: StoredAgent = {
      id: agentId,
      seq,
      user_modified_timestamp: now,
      versions: initialVersions({ ...AGENT_DEFAULTS, ...omitFields(body, SERVER_FIELDS) }, now),
    };
    applyVersionLabels(agent.versions[0]!, body);
    state.agents.set(agentId, agent);
    return created(view(agent, agent.versions[0]!));
  }

  return [
    { method: 'POST', path: '/create-agent', handler: create },
    {
      method: 'GET',
      path: '/get-agent/{agent_id}',
      handler: ({ params, query }) => {
        const agent = findAgent(params.agent_id!);
        const version = resolveVersion(agent, parseVersionQuery(query));
        if (!version) throw assetNotFound();
        return ok(view(agent, version));
      },
    },
    {
      method: 'PATCH',
      path: '/update-agent/{agent_id}',
      handler: ({ params, query, body }) => {
        const agent = findAgent(params.agent_id!);
        const ref = parseVersionQuery(query);
        checkAgentBody(body);
        const config = { ...structuredClone(editBase(agent, ref).config), ...omitFields(body, SERVER_FIELDS) };
        const version = commitEdit(agent, ref, config, ctx.now());
        applyVersionLabels(version, body);
        agent.user_modified_timestamp = version.last_modification_timestamp;
        return ok(view(agent, version));
      },
    },
    {
      method: 'DELETE',
      path: '/delete-agent/{agent_id}',
      handler: ({ params }) => {
        const agent = findAgent(params.agent_id!);
        state.agents.delete(agent.id);
        state.tombstones.set(agent.id, [agent.seq, 0]);
        return noContent();
      },
    },
    {
      method: 'POST',
      path: '/v2/list-agents',
      handler: ({ query, body }) => {
        const page = paginate(filterAgents([...state.agents.values()], body.filter_criteria), pageRequestFromQuery(query), {
          keyOf: (agent) => agent.id,
          sortKeyOf: (agent) => [agent.seq, 0],
          cursorSortKey: (key) => (state.agents.has(key) ? [state.agents.get(key)!.seq, 0] : state.tombstones.get(key)),
        });
        return ok({ ...page, items: page.items.map(listItem) });
      },
    },
    {
      method: 'GET',
      path: '/list-agent-versions/{agent_id}',
      handler: ({ params, query }) => {
        const agent = findAgent(params.agent_id!);
        const page = paginate(agent.versions, pageRequestFromQuery(query), {
          keyOf: (version) => String(version.version),
          sortKeyOf: (version) => [version.version, 0],
          cursorSortKey: (key) => (/^\d+$/.test(key) ? [Number(key), 0] : undefined),
        });
        return ok({ ...page, items: page.items.map(versionSummary) });
      },
    },
    {
      method: 'POST',
      path: '/create-agent-version/{agent_id}',
      handler: ({ params, body }) => {
        const agent = findAgent(params.agent_id!);
        const extra = Object.keys(body).filter((key) => key !== 'base_version');
        if (extra.length > 0) throw badRequest(`Unexpected field(s): ${extra.join(', ')}.`);
        requireFields(body, ['base_version']);
        checkFields(body, { base_version: { kind: 'integer', min: 0 } });
        const base = resolveVersion(agent, body.base_version as number);
        if (!base) throw new RetellApiError(404, `Version ${String(body.base_version)} does not exist.`);
        const now = ctx.now();
        const draft = addDraft(agent, base, now);
        agent.user_modified_timestamp = now;
        return created(view(agent, draft));
      },
    },
    {
      method: 'POST',
      path: '/publish-agent-version/{agent_id}',
      handler: ({ params, body }) => {
        const agent = findAgent(params.agent_id!);
        requireFields(body, ['version']);
        checkFields(body, {
          version: { kind: 'integer', min: 0 },
          version_title: { kind: 'string' },
          version_description: { kind: 'string' },
        });
        const version = resolveVersion(agent, body.version as number);
        if (!version) throw new RetellApiError(404, `Version ${String(body.version)} does not exist.`);
        if (version.is_published) throw badRequest(`Version ${version.version} is already published.`);
        const now = ctx.now();
        version.is_published = true;
        applyVersionLabels(version, body);
        version.last_modification_timestamp = now;
        publishResponseEngine(version, now);
        return emptyOk();
      },
    },
  ];

  /**
   * "The agent and its Retell LLM share the version number": publishing an agent version pins and publishes the
   * Retell LLM version it runs on, so later LLM edits go to a new draft instead of changing the published agent.
   */
  function publishResponseEngine(version: Version<JsonObject>, now: number): void {
    const engine = version.config.response_engine;
    if (!isObject(engine) || engine.type !== 'retell-llm' || typeof engine.llm_id !== 'string') return;
    const llm = state.llms.get(engine.llm_id);
    const llmVersion = llm && resolveVersion(llm, typeof engine.version === 'number' ? engine.version : 'latest');
    if (!llmVersion) return;
    version.config.response_engine = { ...engine, version: llmVersion.version };
    if (!llmVersion.is_published) {
      llmVersion.is_published = true;
      llmVersion.last_modification_timestamp = now;
    }
  }
}

/** list-agents items are summaries of each agent's latest version. */
function listItem(agent: StoredAgent): JsonObject {
  const name = latestVersion(agent).config.agent_name;
  return {
    agent_id: agent.id,
    agent_name: typeof name === 'string' ? name : '',
    channel: 'voice',
    tags: {},
    user_modified_timestamp: agent.user_modified_timestamp,
  };
}

function versionSummary(version: Version<JsonObject>): JsonObject {
  return {
    version: version.version,
    is_published: version.is_published,
    last_modification_timestamp: version.last_modification_timestamp,
    ...(version.base_version !== undefined && { base_version: version.base_version }),
    ...(version.version_title != null && { version_title: version.version_title }),
    ...(version.version_description != null && { version_description: version.version_description }),
  };
}

/** `filter_criteria`: `channel` (every emulated agent is a voice agent) and `query` (name or id substring). */
function filterAgents(agents: StoredAgent[], criteria: unknown): StoredAgent[] {
  if (criteria === undefined) return agents;
  if (!isObject(criteria)) throw badRequest('filter_criteria must be an object.');
  const { channel, query } = criteria;
  if (channel !== undefined) {
    if (!valueMatcher(channel, 'filter_criteria.channel', ['string'])('voice')) return [];
  }
  if (query === undefined) return agents;
  if (typeof query !== 'string') throw badRequest('filter_criteria.query must be a string.');
  const needle = query.toLowerCase();
  return agents.filter((agent) => {
    const name = latestVersion(agent).config.agent_name;
    return agent.id.includes(query) || (typeof name === 'string' && name.toLowerCase().includes(needle));
  });
}
