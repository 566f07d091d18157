import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiRetellErrors } from '../common/openapi/api-errors.decorator.js';
import { type AuthPrincipal, CurrentUser } from '../common/auth/current-user.decorator.js';
import { mapPage, PageQueryDto } from '../common/pagination/page.dto.js';
import { ParseIdPipe } from '../common/pagination/parse-id.pipe.js';
import { AgentToolsService } from './agent-tools.service.js';
import { AgentToolPageDto, AgentToolResponseDto } from './dto/agent-tool-response.dto.js';
import { CreateAgentToolDto, UpdateAgentToolDto } from './dto/agent-tool.dto.js';

/** Every change re-sends the agent's whole tool list to its Retell LLM; the database follows only if Retell accepted. */
@ApiTags('agent-tools')
@ApiErrors({ 404: 'No such agent or tool for the caller.' })
@Controller('agents/:agentId/tools')
export class AgentToolsController {
  constructor(private readonly tools: AgentToolsService) {}

  /** Add a tool to the agent. */
  @Post()
  @ApiCreatedResponse({ type: AgentToolResponseDto })
  @ApiErrors({ 409: 'The agent already has a tool with this name, or has the maximum number of tools.' })
  @ApiRetellErrors()
  async create(
    @CurrentUser() caller: AuthPrincipal,
    @Param('agentId', ParseIdPipe) agentId: number,
    @Body() dto: CreateAgentToolDto,
  ): Promise<AgentToolResponseDto> {
    return AgentToolResponseDto.fromEntity(await this.tools.create(caller.userId, agentId, dto));
  }

  /** The agent's tools, in the order Retell gets them (oldest first). */
  @Get()
  @ApiOkResponse({ type: AgentToolPageDto })
  async list(@CurrentUser() caller: AuthPrincipal, @Param('agentId', ParseIdPipe) agentId: number, @Query() page: PageQueryDto): Promise<AgentToolPageDto> {
    return mapPage(await this.tools.list(caller.userId, agentId, page.limit, page.cursor), AgentToolResponseDto.fromEntity);
  }

  /** One of the agent's tools. */
  @Get(':toolId')
  @ApiOkResponse({ type: AgentToolResponseDto })
  async get(
    @CurrentUser() caller: AuthPrincipal,
    @Param('agentId', ParseIdPipe) agentId: number,
    @Param('toolId', ParseIdPipe) toolId: number,
  ): Promise<AgentToolResponseDto> {
    return AgentToolResponseDto.fromEntity(await this.tools.get(caller.userId, agentId, toolId));
  }

  /** Change a tool's type or configuration (a given `toolConfig` replaces the old one). */
  @Patch(':toolId')
  @ApiOkResponse({ type: AgentToolResponseDto })
  @ApiErrors({ 409: 'The agent already has a tool with this name.' })
  @ApiRetellErrors()
  async update(
    @CurrentUser() caller: AuthPrincipal,
    @Param('agentId', ParseIdPipe) agentId: number,
    @Param('toolId', ParseIdPipe) toolId: number,
    @Body() dto: UpdateAgentToolDto,
  ): Promise<AgentToolResponseDto> {
    return AgentToolResponseDto.fromEntity(await this.tools.update(caller.userId, agentId, toolId, dto));
  }

  /** Remove a tool from the agent. */
  @Delete(':toolId')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Removed here and from the agent at Retell.' })
  @ApiRetellErrors()
  async remove(
    @CurrentUser() caller: AuthPrincipal,
    @Param('agentId', ParseIdPipe) agentId: number,
    @Param('toolId', ParseIdPipe) toolId: number,
  ): Promise<void> {
    await this.tools.remove(caller.userId, agentId, toolId);
  }
}
