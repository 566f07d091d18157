import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { EntityManager } from '@mikro-orm/postgresql';
import type Retell from 'retell-sdk';
import { AgentTool } from '../agent-tools/agent-tool.entity.js';
import { AgentToolsService } from '../agent-tools/agent-tools.service.js';
import { toRetellTool } from '../agent-tools/tool-types.js';
import { ResourceNotFoundException, ValidationFailedException } from '../common/errors/app-exceptions.js';
import { agentLease, EditLeases } from '../common/limits/edit-leases.js';
import { inTransaction } from '../common/transactions.js';
import { EventsService } from '../events/events.service.js';
import type { Page } from '../common/pagination/page.dto.js';
import { FieldErrors } from '../common/validation/json-rules.js';
import { appConfig } from '../config/app.config.js';
import { LlmConfiguration } from '../llm-configurations/llm-configuration.entity.js';
import { LlmConfigurationRepository } from '../llm-configurations/llm-configuration.repository.js';
import { toRetellLlmFields } from '../llm-configurations/llm-configuration.values.js';
import { LlmConfigurationsService } from '../llm-configurations/llm-configurations.service.js';
import { PhoneNumbersService } from '../phone-numbers/phone-numbers.service.js';
import { RetellGateway } from '../retell/retell.gateway.js';
import { User } from '../users/user.entity.js';
import { VoicesService } from '../voices/voices.service.js';
import { Agent } from './agent.entity.js';
import { AGENT_PAGES, type AgentDetailRow, AgentRepository } from './agent.repository.js';
import type { CreateAgentDto, ListAgentsQueryDto, PostCallAnalysisDto, PublishAgentDto, UpdateAgentDto } from './dto/agent.dto.js';
import { OUTBOUND_KEYS, storedVoicemail, toRetellOutbound, type OutboundSettings } from './outbound-settings.js';
import { checkPostCallAnalysis, toRetellAnalysis, type PostCallAnalysis } from './post-call-analysis.js';

export interface AgentWithParts {
  agent: Agent;
  llmConfiguration: LlmConfiguration;
  tools: AgentTool[];
}

/**
 * Agents exist twice: as rows here and as a Retell LLM + Retell agent. Every write talks to Retell first and to the
 * database only once Retell accepted; whatever a failed create left at Retell is deleted again.
 */
/** The value as stored and shown: only the documented keys (the rules refused any other). */
function storedAnalysis(dto: PostCallAnalysisDto): PostCallAnalysis {
  return {
    fields: dto.fields.map(({ type, name, description, choices }) => ({ type, name, description, ...(type === 'enum' && { choices }) })),
    ...(dto.model !== undefined && { model: dto.model }),
  };
}

type OutboundInput = Partial<{ [K in keyof OutboundSettings]: K extends 'voicemail' ? { action: string; text?: string } | null : OutboundSettings[K] | null }>;

/** `leave_message` needs its text, `hangup` takes none (the DTO checks each field alone). */
function checkOutbound(dto: OutboundInput, errors: FieldErrors): void {
  const voicemail = dto.voicemail;
  if (!voicemail) return;
  if (voicemail.action === 'leave_message' && voicemail.text === undefined) errors.add('voicemail.text', 'is required when action is leave_message');
  if (voicemail.action === 'hangup' && voicemail.text !== undefined) errors.add('voicemail.text', 'must be omitted when action is hangup');
}

/** The outbound settings after applying `dto` over `current` (undefined keeps, null resets to Retell's default). */
function mergedOutbound(current: OutboundSettings, dto: OutboundInput): OutboundSettings {
  const pick = <K extends Exclude<keyof OutboundSettings, 'voicemail'>>(key: K): OutboundSettings[K] => (dto[key] === undefined ? current[key] : (dto[key] as OutboundSettings[K]));
  return {
    language: pick('language'),
    maxCallDurationMs: pick('maxCallDurationMs'),
    endCallAfterSilenceMs: pick('endCallAfterSilenceMs'),
    voicemail: dto.voicemail === undefined ? current.voicemail : dto.voicemail && storedVoicemail(dto.voicemail),
  };
}

const outboundOf = (agent: Agent): OutboundSettings => ({
  language: agent.language ?? null,
  maxCallDurationMs: agent.maxCallDurationMs ?? null,
  endCallAfterSilenceMs: agent.endCallAfterSilenceMs ?? null,
  voicemail: agent.voicemail ?? null,
});

const NO_OUTBOUND: OutboundSettings = { language: null, maxCallDurationMs: null, endCallAfterSilenceMs: null, voicemail: null };

/** A create sends only what is set (Retell keeps its defaults for the rest). */
function withoutNulls<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null)) as Partial<T>;
}

@Injectable()
export class AgentsService {
  private readonly logger = new Logger('Agents');

  constructor(
    private readonly gateway: RetellGateway,
    private readonly leases: EditLeases,
    private readonly events: EventsService,
    private readonly em: EntityManager,
    private readonly agents: AgentRepository,
    private readonly llmConfigurations: LlmConfigurationRepository,
    private readonly llmConfigurationsService: LlmConfigurationsService,
    private readonly agentTools: AgentToolsService,
    private readonly voices: VoicesService,
    private readonly phoneNumbers: PhoneNumbersService,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  /** Retell posts this agent's call events here; a per-agent URL wins over the account's (Retell docs). */
  private get webhookUrl(): string {
    return `${this.app.publicBaseUrl}/webhooks/retell`;
  }

  /**
   * Validate everything (nothing is sent anywhere before that), then: Retell LLM with its tools → Retell agent on
   * that LLM → one transaction for the rows. A failure at any step deletes what Retell already holds (agent first,
   * then the LLM), so nothing is left on either side.
   *
   * The two creates are not retried by the SDK: a create that timed out may still have happened, and a blind retry
   * would make a second object (an orphan we hold no id for). The client gets a retryable 5xx and sends the request
   * again, which is safe because the failed attempt was cleaned up.
   */
  async create(ownerId: number, dto: CreateAgentDto): Promise<AgentWithParts> {
    const errors = new FieldErrors();
    const llmValues = this.llmConfigurationsService.valuesForCreate(dto.llmConfiguration, 'llmConfiguration', errors);
    const tools = dto.tools ?? [];
    await this.agentTools.checkNewTools(ownerId, tools, 'tools', errors);
    const voiceProblem = await this.voices.voiceProblem(dto.voiceId);
    if (voiceProblem) errors.add('voiceId', voiceProblem);
    if (dto.postCallAnalysis !== undefined) checkPostCallAnalysis(dto.postCallAnalysis, 'postCallAnalysis', errors);
    checkOutbound(dto, errors);
    if (!errors.empty) throw new ValidationFailedException(errors.toArray());
    const analysis = dto.postCallAnalysis ? storedAnalysis(dto.postCallAnalysis) : null;
    const outbound = mergedOutbound(NO_OUTBOUND, dto);

    return this.gateway.withUndo(async (undo) => {
      const llm = await this.gateway.createLlm({ ...toRetellLlmFields(llmValues), general_tools: tools.map(toRetellTool) } as Retell.LlmCreateParams);
      undo.push(llm.undo);
      const remote = await this.gateway.createAgent({
        response_engine: { type: 'retell-llm', llm_id: llm.llmId },
        voice_id: dto.voiceId,
        agent_name: dto.name,
        webhook_url: this.webhookUrl,
        ...(analysis && withoutNulls(toRetellAnalysis(analysis))),
        ...toRetellOutbound(outbound, false),
      });
      undo.push(remote.undo);

      return this.em.transactional(async (em) => {
        const agent = em.create(Agent, {
          user: em.getReference(User, ownerId),
          name: dto.name,
          description: dto.description ?? null,
          voiceId: dto.voiceId,
          retellAgentId: remote.agent.agent_id,
          version: remote.agent.version,
          isPublished: false,
          postCallAnalysis: analysis,
          ...outbound,
        });
        const llmConfiguration = em.create(LlmConfiguration, { agent, retellLlmId: llm.llmId, ...llmValues });
        const toolRows = tools.map((tool) =>
          em.create(AgentTool, { agent, toolType: tool.toolType, name: tool.toolConfig.name as string, toolConfig: tool.toolConfig }),
        );
        await em.flush();
        await this.events.recordAgent(em, ownerId, agent.id, 'agent.created');
        return { agent, llmConfiguration, tools: toolRows };
      });
    });
  }

  list(ownerId: number, query: ListAgentsQueryDto): Promise<Page<Agent>> {
    const page = AGENT_PAGES.request(query.limit, query.cursor);
    return this.agents.findPageForOwner(ownerId, { isActive: query.isActive, nameContains: query.q }, page);
  }

  /** One statement, plain values (see `findDetailForOwner`). */
  async get(ownerId: number, id: number): Promise<AgentDetailRow> {
    const detail = await this.agents.findDetailForOwner(ownerId, id);
    if (!detail) throw new ResourceNotFoundException('Agent');
    return detail;
  }

  /**
   * `name` and `voiceId` are Retell's too: they go to Retell first (both, with the webhook URL, so the draft always
   * carries all we own), then to the database. `description` and `isActive` only concern this API.
   */
  async update(ownerId: number, id: number, dto: UpdateAgentDto): Promise<Agent> {
    const errors = new FieldErrors();
    if (dto.voiceId !== undefined) {
      const problem = await this.voices.voiceProblem(dto.voiceId);
      if (problem) errors.add('voiceId', problem);
    }
    if (dto.postCallAnalysis) checkPostCallAnalysis(dto.postCallAnalysis, 'postCallAnalysis', errors);
    checkOutbound(dto, errors);
    if (!errors.empty) throw new ValidationFailedException(errors.toArray());
    const analysis = dto.postCallAnalysis === undefined ? undefined : dto.postCallAnalysis && storedAnalysis(dto.postCallAnalysis);
    const outboundChanged = OUTBOUND_KEYS.some((key) => dto[key] !== undefined);
    return this.leases.run(agentLease(id), () =>
      this.gateway.withUndo(async (undo) => {
        const agent = await this.agents.findFreshForOwner(ownerId, id);
        if (!agent) throw new ResourceNotFoundException('Agent');
        const name = dto.name ?? agent.name;
        const voiceId = dto.voiceId ?? agent.voiceId;
        const outbound = mergedOutbound(outboundOf(agent), dto);
        if (name !== agent.name || voiceId !== agent.voiceId || analysis !== undefined || outboundChanged) {
          // The outbound settings go as a whole (Retell's defaults spelled out), so the draft carries exactly ours.
          const previous = {
            agent_name: agent.name,
            voice_id: agent.voiceId,
            webhook_url: this.webhookUrl,
            ...(analysis !== undefined && toRetellAnalysis(agent.postCallAnalysis ?? null)),
            ...(outboundChanged && toRetellOutbound(outboundOf(agent), true)),
          };
          const fields = {
            agent_name: name,
            voice_id: voiceId,
            webhook_url: this.webhookUrl,
            ...(analysis !== undefined && toRetellAnalysis(analysis)),
            ...(outboundChanged && toRetellOutbound(outbound, true)),
          };
          const remote = await this.gateway.updateAgent(agent.retellAgentId, fields, previous);
          undo.push(remote.undo);
          Object.assign(agent, { name, voiceId, version: remote.agent.version, isPublished: false });
          if (analysis !== undefined) agent.postCallAnalysis = analysis;
          if (outboundChanged) Object.assign(agent, outbound);
        }
        if (dto.description !== undefined) agent.description = dto.description;
        if (dto.isActive !== undefined) agent.isActive = dto.isActive;
        await inTransaction(this.em, async (em) => {
          await em.flush();
          await this.events.recordAgent(em, ownerId, id, 'agent.updated');
        });
        return agent;
      }),
    );
  }

  /**
   * Publishes the current draft. An LLM change after the last publish lives in a new LLM draft version; the agent's
   * draft is first pointed at it (Retell pins the LLM version when it publishes), so the published version is what
   * GET /agents/:id shows. Publishing when nothing changed is a no-op that answers the current state, which also
   * makes a retried publish (the first one timed out after Retell did it) safe.
   */
  async publish(ownerId: number, id: number, dto: PublishAgentDto): Promise<Agent> {
    return this.leases.run(agentLease(id), async (lease) => {
      const agent = await this.agents.findFreshForOwner(ownerId, id);
      const configuration = agent && (await this.llmConfigurations.findForOwner(ownerId, id));
      if (!agent || !configuration) throw new ResourceNotFoundException('Agent');
      let draft = await this.gateway.retrieveAgent(agent.retellAgentId);
      await lease.renew();
      const llm = await this.gateway.retrieveLlm(configuration.retellLlmId);
      const engine = draft.response_engine;
      const pinned = engine.type === 'retell-llm' ? engine.version : undefined;
      const llmDraft = llm.is_published !== true && typeof llm.version === 'number' ? llm.version : undefined;
      if (llmDraft !== undefined && (draft.is_published === true || (pinned != null && pinned !== llmDraft))) {
        await lease.renew();
        ({ agent: draft } = await this.gateway.updateAgent(agent.retellAgentId, {
          response_engine: { type: 'retell-llm', llm_id: configuration.retellLlmId, version: llmDraft },
        }));
      }
      if (draft.is_published !== true) {
        await lease.renew();
        await this.gateway.publishAgent(agent.retellAgentId, {
          version: draft.version,
          ...(dto.versionTitle !== undefined && { version_title: dto.versionTitle }),
          ...(dto.versionDescription !== undefined && { version_description: dto.versionDescription }),
        });
      }
      Object.assign(agent, { version: draft.version, publishedVersion: draft.version, isPublished: true });
      await inTransaction(this.em, async (em) => {
        await em.flush();
        await this.events.recordAgent(em, ownerId, id, 'agent.published');
      });
      return agent;
    });
  }

  /**
   * Reverse order of creation: the agent's phone numbers are released at Retell (their rows would be deleted by the
   * cascade; a number kept at Retell without a row would be billed and invisible), then the Retell agent, then its
   * LLM, then the rows (LLM configuration, tools, phone numbers and calls cascade in the database). Retell's calls
   * stay at Retell as history.
   *
   * "Already gone" at Retell (422) counts as deleted, so a delete that failed half-way is finished by sending it again:
   * numbers released so far have lost their rows already, and an agent Retell no longer has is not an error.
   */
  async remove(ownerId: number, id: number): Promise<void> {
    if (!(await this.agents.findForOwner(ownerId, id))) throw new ResourceNotFoundException('Agent');
    // Under the agent's edit lease, so that an edit of this agent running meanwhile finishes first (or then finds it gone).
    await this.leases.run(agentLease(id), async (lease) => {
      const agent = await this.agents.findFreshForOwner(ownerId, id);
      if (!agent) throw new ResourceNotFoundException('Agent');
      // Numbers are released at Retell (not left unbound there): their rows go with the agent. Each row goes as soon
      // as Retell released it, so a retried delete does not try to release it again.
      await this.phoneNumbers.releaseAllForAgent(ownerId, agent.id, lease);
      const configuration = await this.llmConfigurations.findForOwner(ownerId, id);
      await lease.renew();
      if ((await this.gateway.deleteAgent(agent.retellAgentId)) === 'already gone') {
        this.logger.warn({ msg: 'Retell agent was already gone; deleting our rows', agentId: agent.id, retellAgentId: agent.retellAgentId });
      }
      // Past this point the agent is gone at Retell: the LLM delete is retried so that it does not linger unused.
      if (configuration) {
        await lease.renew();
        await this.gateway.deleteLlm(configuration.retellLlmId);
      }
      await inTransaction(this.em, async (em) => {
        await this.events.recordAgent(em, ownerId, id, 'agent.deleted');
        await em.nativeDelete(Agent, { id: agent.id, user: ownerId });
      });
    });
  }
}
