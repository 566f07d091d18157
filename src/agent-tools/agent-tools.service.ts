import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Agent } from '../agents/agent.entity.js';
import { AgentRepository } from '../agents/agent.repository.js';
import { ApiException, ResourceNotFoundException, ValidationFailedException } from '../common/errors/app-exceptions.js';
import { agentLease, EditLeases } from '../common/limits/edit-leases.js';
import { inTransaction } from '../common/transactions.js';
import { EventsService } from '../events/events.service.js';
import type { Page } from '../common/pagination/page.dto.js';
import type { UrlPolicy } from '../common/urls/public-url.js';
import { FieldErrors, join } from '../common/validation/json-rules.js';
import { retellConfig } from '../config/retell.config.js';
import { LlmConfigurationRepository } from '../llm-configurations/llm-configuration.repository.js';
import { RetellGateway } from '../retell/retell.gateway.js';
import { AgentTool } from './agent-tool.entity.js';
import { AGENT_TOOL_PAGES, AgentToolRepository } from './agent-tool.repository.js';
import type { CreateAgentToolDto, UpdateAgentToolDto } from './dto/agent-tool.dto.js';
import { referencedAgentIds, validateToolConfig } from './tool-config.rules.js';
import { MAX_TOOLS_PER_AGENT, toRetellTool, type ToolType } from './tool-types.js';

interface ToolDraft {
  toolType: ToolType;
  toolConfig: Record<string, unknown>;
}

/** The complete list Retell should have after the change, and the database write that follows its acceptance. */
interface ToolChange<T> {
  next: Array<{ toolType: string; toolConfig: Record<string, unknown> }>;
  commit: () => T;
}

const duplicateName = (name: string, field: string) =>
  new ApiException(409, `The agent already has a tool named "${name}"`, { details: [{ field, messages: ['must be unique among the agent\'s tools'] }] });

@Injectable()
export class AgentToolsService {

  constructor(
    private readonly gateway: RetellGateway,
    private readonly leases: EditLeases,
    private readonly events: EventsService,
    private readonly em: EntityManager,
    private readonly agents: AgentRepository,
    private readonly tools: AgentToolRepository,
    private readonly llmConfigurations: LlmConfigurationRepository,
    @Inject(retellConfig.KEY) private readonly config: ConfigType<typeof retellConfig>,
  ) {}

  get urlPolicy(): UrlPolicy {
    return { allowPrivate: this.config.toolUrlsAllowPrivate };
  }

  /**
   * Checks the tools of a new agent (used by POST /agents): each configuration against its type, names unique
   * within the list, referenced agents owned by the caller. Problems go into `errors` under `path.<index>`.
   */
  async checkNewTools(ownerId: number, drafts: ToolDraft[], path: string, errors: FieldErrors): Promise<void> {
    const names = new Set<string>();
    drafts.forEach((draft, index) => {
      const at = join(join(path, index), 'toolConfig');
      validateToolConfig(draft.toolType, draft.toolConfig, at, errors, this.urlPolicy);
      const name = draft.toolConfig.name;
      if (typeof name === 'string') {
        if (names.has(name)) errors.add(join(at, 'name'), "must be unique among the agent's tools");
        names.add(name);
      }
    });
    await this.checkAgentReferences(ownerId, drafts.map((draft, index) => ({ ...draft, path: join(join(path, index), 'toolConfig') })), errors);
  }

  async list(ownerId: number, agentId: number, limit: number, cursor?: string): Promise<Page<AgentTool>> {
    const page = AGENT_TOOL_PAGES.request(limit, cursor);
    if (!(await this.agents.findForOwner(ownerId, agentId))) throw new ResourceNotFoundException('Agent');
    return this.tools.findPageForOwner(ownerId, agentId, page);
  }

  async get(ownerId: number, agentId: number, toolId: number): Promise<AgentTool> {
    const tool = await this.tools.findForOwner(ownerId, agentId, toolId);
    if (!tool) throw new ResourceNotFoundException('Tool');
    return tool;
  }

  async create(ownerId: number, agentId: number, dto: CreateAgentToolDto): Promise<AgentTool> {
    await this.checkDraft(ownerId, dto, 'toolConfig');
    return this.changeTools(ownerId, agentId, ({ agent, tools, em }) => {
      if (tools.length >= MAX_TOOLS_PER_AGENT) throw new ApiException(409, `An agent has at most ${MAX_TOOLS_PER_AGENT} tools`);
      const name = dto.toolConfig.name as string;
      if (tools.some((tool) => tool.name === name)) throw duplicateName(name, 'toolConfig.name');
      return {
        next: [...tools, dto],
        commit: () => {
          const tool = em.create(AgentTool, { agent, toolType: dto.toolType, name, toolConfig: dto.toolConfig });
          em.persist(tool);
          return tool;
        },
      };
    });
  }

  async update(ownerId: number, agentId: number, toolId: number, dto: UpdateAgentToolDto): Promise<AgentTool> {
    if (dto.toolType !== undefined && dto.toolConfig === undefined) {
      throw new ValidationFailedException([{ field: 'toolConfig', messages: ['is required when toolType changes'] }]);
    }
    if (dto.toolType === undefined && dto.toolConfig === undefined) return this.get(ownerId, agentId, toolId);
    return this.changeTools(ownerId, agentId, async ({ tools }) => {
      const tool = tools.find((candidate) => candidate.id === toolId);
      if (!tool) throw new ResourceNotFoundException('Tool');
      const draft: ToolDraft = { toolType: dto.toolType ?? (tool.toolType as ToolType), toolConfig: dto.toolConfig ?? tool.toolConfig };
      await this.checkDraft(ownerId, draft, 'toolConfig');
      const name = draft.toolConfig.name as string;
      if (tools.some((other) => other.id !== toolId && other.name === name)) throw duplicateName(name, 'toolConfig.name');
      return {
        next: tools.map((other) => (other.id === toolId ? draft : other)),
        commit: () => {
          tool.toolType = draft.toolType;
          tool.toolConfig = draft.toolConfig;
          tool.name = name;
          return tool;
        },
      };
    });
  }

  async remove(ownerId: number, agentId: number, toolId: number): Promise<void> {
    await this.changeTools(ownerId, agentId, ({ tools, em }) => {
      const tool = tools.find((candidate) => candidate.id === toolId);
      if (!tool) throw new ResourceNotFoundException('Tool');
      return { next: tools.filter((other) => other.id !== toolId), commit: () => void em.remove(tool) };
    });
  }

  private async checkDraft(ownerId: number, draft: ToolDraft, path: string): Promise<void> {
    const errors = new FieldErrors();
    validateToolConfig(draft.toolType, draft.toolConfig, path, errors, this.urlPolicy);
    await this.checkAgentReferences(ownerId, [{ ...draft, path }], errors);
    if (!errors.empty) throw new ValidationFailedException(errors.toArray());
  }

  private async checkAgentReferences(ownerId: number, drafts: Array<ToolDraft & { path: string }>, errors: FieldErrors): Promise<void> {
    const references = drafts.flatMap((draft) =>
      draft.toolConfig && typeof draft.toolConfig === 'object' ? referencedAgentIds(draft.toolType, draft.toolConfig, draft.path) : [],
    );
    const owned = await this.agents.findOwnedRetellAgentIds(ownerId, [...new Set(references.map((r) => r.agentId))]);
    for (const reference of references) {
      if (!owned.has(reference.agentId)) errors.add(reference.field, "must be the retellAgentId of one of your agents");
    }
  }

  /**
   * The one path for every tool change. Under the agent's edit lease: compute the new list, send Retell the whole
   * list (Retell replaces `general_tools` as a unit), and only once Retell accepted it write the database. If the
   * database write fails after that, the previous list is sent back to Retell.
   */
  private async changeTools<T>(
    ownerId: number,
    agentId: number,
    change: (context: { agent: Agent; tools: AgentTool[]; em: EntityManager }) => Promise<ToolChange<T>> | ToolChange<T>,
  ): Promise<T> {
    return this.leases.run(agentLease(agentId), () =>
      this.gateway.withUndo(async (undo) => {
        const agent = await this.agents.findFreshForOwner(ownerId, agentId);
        if (!agent) throw new ResourceNotFoundException('Agent');
        const tools = await this.tools.findAllForOwner(ownerId, agentId);
        const llm = await this.llmConfigurations.findForOwner(ownerId, agentId);
        if (!llm) throw new ResourceNotFoundException('LLM configuration');
        const { next, commit } = await change({ agent, tools, em: this.em });
        undo.push(await this.gateway.replaceTools(llm.retellLlmId, next.map(toRetellTool), tools.map(toRetellTool)));
        const result = commit();
        agent.isPublished = false;
        await inTransaction(this.em, async (em) => {
          await em.flush();
          await this.events.recordAgent(em, ownerId, agentId, 'agent.updated');
        });
        return result;
      }),
    );
  }
}
