import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Agent } from '../agents/agent.entity.js';
import { LlmConfiguration } from '../llm-configurations/llm-configuration.entity.js';
import { AgentTool } from './agent-tool.entity.js';
import { AgentToolsController } from './agent-tools.controller.js';
import { AgentToolsService } from './agent-tools.service.js';

/** Exports its service so that POST /agents validates a new agent's tools exactly as POST /agents/:id/tools does. */
@Module({
  imports: [MikroOrmModule.forFeature([AgentTool, Agent, LlmConfiguration])],
  controllers: [AgentToolsController],
  providers: [AgentToolsService],
  exports: [AgentToolsService],
})
export class AgentToolsModule {}
