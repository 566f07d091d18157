import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { EntityManager } from '@mikro-orm/postgresql';
import Retell from 'retell-sdk';
import { AgentRepository } from '../agents/agent.repository.js';
import { ResourceNotFoundException, ValidationFailedException } from '../common/errors/app-exceptions.js';
import type { UrlPolicy } from '../common/urls/public-url.js';
import { FieldErrors } from '../common/validation/json-rules.js';
import { retellConfig } from '../config/retell.config.js';
import { EventsService } from '../events/events.service.js';
import { RetellUndo, SINGLE_ATTEMPT } from '../retell/retell-ops.js';
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
  private readonly logger = new Logger('LlmConfigurations');

  constructor(
    private readonly retell: Retell,
    private readonly em: EntityManager,
    private readonly agents: AgentRepository,
    private readonly configurations: LlmConfigurationRepository,
    @Inject(retellConfig.KEY) private readonly config: ConfigType<typeof retellConfig>,
    private readonly events: EventsService,
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
   * Retell first, then the database, under the agent's row lock. Retell receives every field we own (not only the
   * changed ones); if the database write fails afterwards, the previous values are sent back.
   */
  async update(ownerId: number, agentId: number, dto: UpdateLlmConfigurationDto): Promise<LlmConfiguration> {
    const undo = new RetellUndo(this.logger);
    try {
      return await this.em.transactional(async (em) => {
        const agent = await this.agents.findForOwnerLocked(ownerId, agentId);
        const configuration = agent && (await this.configurations.findForOwner(ownerId, agentId));
        if (!agent || !configuration) throw new ResourceNotFoundException('Agent');
        const errors = new FieldErrors();
        const before = llmValuesOf(configuration);
        const after = mergeLlmValues(before, dto, '', errors, this.urlPolicy);
        if (!errors.empty) throw new ValidationFailedException(errors.toArray());
        if (sameLlmValues(before, after)) return configuration;

        await this.retell.llm.update(configuration.retellLlmId, toRetellLlmFields(after));
        undo.push(`restore Retell LLM ${configuration.retellLlmId}`, () =>
          this.retell.llm.update(configuration.retellLlmId, toRetellLlmFields(before), SINGLE_ATTEMPT),
        );
        em.assign(configuration, after);
        agent.isPublished = false;
        await em.flush();
        await this.events.recordAgent(em, ownerId, agentId, 'agent.updated');
        return configuration;
      });
    } catch (error) {
      await undo.run();
      throw error;
    }
  }
}
