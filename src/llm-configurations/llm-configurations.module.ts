import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Agent } from '../agents/agent.entity.js';
import { LlmConfiguration } from './llm-configuration.entity.js';
import { LlmConfigurationsController } from './llm-configurations.controller.js';
import { LlmConfigurationsService } from './llm-configurations.service.js';

/** Exports its service so that POST /agents checks a new configuration exactly as PATCH does. */
@Module({
  imports: [MikroOrmModule.forFeature([LlmConfiguration, Agent])],
  controllers: [LlmConfigurationsController],
  providers: [LlmConfigurationsService],
  exports: [LlmConfigurationsService],
})
export class LlmConfigurationsModule {}
