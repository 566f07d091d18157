import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { EntityManager } from '@mikro-orm/postgresql';
import { AgentRepository } from '../agents/agent.repository.js';
import { ResourceNotFoundException, ValidationFailedException } from '../common/errors/app-exceptions.js';
import { agentLease, EditLeases } from '../common/limits/edit-leases.js';
import { inTransaction } from '../common/transactions.js';
import { EventsService } from '../events/events.service.js';
import type { UrlPolicy } from '../common/urls/public-url.js';
import { FieldErrors } from '../common/validation/json-rules.js';
import { retellConfig } from '../config/retell.config.js';
import { RetellGateway } from '../retell/retell.gateway.js';
import type { CreateLlmConfigurationDto, UpdateLlmConfigurationDto } from './dto/llm-configuration.dto.js';
import type { LlmConfiguration } from './llm-configuration.entity.js';
import { LlmConfigurationRepository } from './llm-configuration.repository.js';
import { EMPTY_LLM_VALUES, mergeLlmValues, sameLlmValues, toRetellLlmFields, type LlmValues } from './llm-configuration.values.js';

export function llmValuesOf(config: LlmConfiguration): LlmValues {
  return {
    model: config.model ?? null,
    s2sModel: config.s2sModel ?? null,
    temperature: config.temperature,
    highPriority: config.highPriority,
    generalPrompt: config.generalPrompt ?? null,
    beginMessage: config.beginMessage ?? null,
    mcps: config.mcps ?? null,
  };
}

@Injectable()
export class LlmConfigurationsService {

  constructor(
    private readonly gateway: RetellGateway,
    private readonly leases: EditLeases,
    private readonly events: EventsService,
    private readonly em: EntityManager,
    private readonly agents: AgentRepository,
    private readonly configurations: LlmConfigurationRepository,
    @Inject(retellConfig.KEY) private readonly config: ConfigType<typeof retellConfig>,
  ) {}

  private get urlPolicy(): UrlPolicy {
    return { allowPrivate: this.config.toolUrlsAllowPrivate };
  }

  /** The values of a new agent's configuration (used by POST /agents); problems go into `errors` under `path`. */
  valuesForCreate(dto: CreateLlmConfigurationDto, path: string, errors: FieldErrors): LlmValues {
    return mergeLlmValues(EMPTY_LLM_VALUES, dto, path, errors, this.urlPolicy);
  }

  async get(ownerId: number, agentId: number): Promise<LlmConfiguration> {
    const configuration = await this.configurations.findForOwner(ownerId, agentId);
    if (!configuration) throw new ResourceNotFoundException('Agent');
    return configuration;
  }

  /**
   * Retell first, then the database, under the agent's edit lease (no connection held while Retell answers). Retell receives every field we own (not only the
   * changed ones); if the database write fails afterwards, the previous values are sent back.
   */
  async update(ownerId: number, agentId: number, dto: UpdateLlmConfigurationDto): Promise<LlmConfiguration> {
    return this.leases.run(agentLease(agentId), () =>
      this.gateway.withUndo(async (undo) => {
        const agent = await this.agents.findFreshForOwner(ownerId, agentId);
        const configuration = agent && (await this.configurations.findForOwner(ownerId, agentId));
        if (!agent || !configuration) throw new ResourceNotFoundException('Agent');
        const errors = new FieldErrors();
        const before = llmValuesOf(configuration);
        const after = mergeLlmValues(before, dto, '', errors, this.urlPolicy);
        if (!errors.empty) throw new ValidationFailedException(errors.toArray());
        if (sameLlmValues(before, after)) return configuration;

        undo.push(await this.gateway.updateLlm(configuration.retellLlmId, toRetellLlmFields(after), toRetellLlmFields(before)));
        this.em.assign(configuration, after);
        agent.isPublished = false;
        await inTransaction(this.em, async (em) => {
          await em.flush();
          await this.events.recordAgent(em, ownerId, agentId, 'agent.updated');
        });
        return configuration;
      }),
    );
  }
}
