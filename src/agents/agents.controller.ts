import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiRetellErrors } from '../common/openapi/api-errors.decorator.js';
import { type AuthPrincipal, CurrentUser } from '../common/auth/current-user.decorator.js';
import { mapPage } from '../common/pagination/page.dto.js';
import { ParseIdPipe } from '../common/pagination/parse-id.pipe.js';
import { AgentsService } from './agents.service.js';
import { AgentDetailResponseDto, AgentPageDto, AgentResponseDto } from './dto/agent-response.dto.js';
import { CreateAgentDto, ListAgentsQueryDto, PublishAgentDto, UpdateAgentDto } from './dto/agent.dto.js';

@ApiTags('agents')
@Controller('agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  /** Create an agent with its LLM configuration and tools, at Retell and here. */
  @Post()
  @ApiCreatedResponse({ type: AgentDetailResponseDto })
  @ApiRetellErrors()
  async create(@CurrentUser() caller: AuthPrincipal, @Body() dto: CreateAgentDto): Promise<AgentDetailResponseDto> {
    const { agent, llmConfiguration, tools } = await this.agents.create(caller.userId, dto);
    return AgentDetailResponseDto.fromEntities(agent, llmConfiguration, tools);
  }

  /** The caller's agents, newest first; filter by `isActive`, search the name with `q`. */
  @Get()
  @ApiOkResponse({ type: AgentPageDto })
  async list(@CurrentUser() caller: AuthPrincipal, @Query() query: ListAgentsQueryDto): Promise<AgentPageDto> {
    return mapPage(await this.agents.list(caller.userId, query), AgentResponseDto.fromEntity);
  }

  /** One agent with its LLM configuration and tools. */
  @Get(':id')
  @ApiOkResponse({ type: AgentDetailResponseDto })
  @ApiErrors(404)
  async get(@CurrentUser() caller: AuthPrincipal, @Param('id', ParseIdPipe) id: number): Promise<AgentDetailResponseDto> {
    const { agent, llmConfiguration, tools } = await this.agents.get(caller.userId, id);
    return AgentDetailResponseDto.fromEntities(agent, llmConfiguration, tools);
  }

  /** Rename, change the voice or description, or (de)activate. Name and voice changes land on the Retell draft. */
  @Patch(':id')
  @ApiOkResponse({ type: AgentResponseDto })
  @ApiErrors(404)
  @ApiRetellErrors()
  async update(@CurrentUser() caller: AuthPrincipal, @Param('id', ParseIdPipe) id: number, @Body() dto: UpdateAgentDto): Promise<AgentResponseDto> {
    return AgentResponseDto.fromEntity(await this.agents.update(caller.userId, id, dto));
  }

  /** Delete the agent here and at Retell; its phone numbers are released. Retry a failed delete to finish it. */
  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted here and at Retell.' })
  @ApiErrors(404)
  @ApiRetellErrors()
  async remove(@CurrentUser() caller: AuthPrincipal, @Param('id', ParseIdPipe) id: number): Promise<void> {
    await this.agents.remove(caller.userId, id);
  }

  /** Publish the current draft (agent, LLM configuration and tools) as a Retell version. */
  @Post(':id/publish')
  @HttpCode(200)
  @ApiOkResponse({ type: AgentResponseDto })
  @ApiErrors(404)
  @ApiRetellErrors()
  async publish(
    @CurrentUser() caller: AuthPrincipal,
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: PublishAgentDto,
  ): Promise<AgentResponseDto> {
    return AgentResponseDto.fromEntity(await this.agents.publish(caller.userId, id, dto));
  }
}
