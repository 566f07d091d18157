import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { AgentTool } from '../agent-tools/agent-tool.entity.js';
import { AgentToolsModule } from '../agent-tools/agent-tools.module.js';
import { LlmConfiguration } from '../llm-configurations/llm-configuration.entity.js';
import { LlmConfigurationsModule } from '../llm-configurations/llm-configurations.module.js';
import { PhoneNumbersModule } from '../phone-numbers/phone-numbers.module.js';
import { VoicesModule } from '../voices/voices.module.js';
import { Agent } from './agent.entity.js';
import { AgentsController } from './agents.controller.js';
import { AgentsService } from './agents.service.js';

@Module({
  imports: [
    MikroOrmModule.forFeature([Agent, LlmConfiguration, AgentTool]),
    LlmConfigurationsModule,
    AgentToolsModule,
    VoicesModule,
    PhoneNumbersModule,
  ],
  controllers: [AgentsController],
  providers: [AgentsService],
})
export class AgentsModule {}
