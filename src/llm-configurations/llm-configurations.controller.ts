import { Body, Controller, Get, Param, Patch } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiRetellErrors } from '../common/openapi/api-errors.decorator.js';
import { type AuthPrincipal, CurrentUser } from '../common/auth/current-user.decorator.js';
import { ParseIdPipe } from '../common/pagination/parse-id.pipe.js';
import { LlmConfigurationResponseDto } from './dto/llm-configuration-response.dto.js';
import { UpdateLlmConfigurationDto } from './dto/llm-configuration.dto.js';
import { LlmConfigurationsService } from './llm-configurations.service.js';

@ApiTags('llm-configurations')
@ApiErrors({ 404: 'No such agent for the caller.' })
@Controller('agents/:agentId/llm-configuration')
export class LlmConfigurationsController {
  constructor(private readonly configurations: LlmConfigurationsService) {}

  /** The agent's LLM configuration. */
  @Get()
  @ApiOkResponse({ type: LlmConfigurationResponseDto })
  async get(@CurrentUser() caller: AuthPrincipal, @Param('agentId', ParseIdPipe) agentId: number): Promise<LlmConfigurationResponseDto> {
    return LlmConfigurationResponseDto.fromEntity(await this.configurations.get(caller.userId, agentId));
  }

  /** Change the LLM configuration. The change lands on the agent's draft at Retell; publish to make it a version. */
  @Patch()
  @ApiOkResponse({ type: LlmConfigurationResponseDto })
  @ApiRetellErrors()
  async update(
    @CurrentUser() caller: AuthPrincipal,
    @Param('agentId', ParseIdPipe) agentId: number,
    @Body() dto: UpdateLlmConfigurationDto,
  ): Promise<LlmConfigurationResponseDto> {
    return LlmConfigurationResponseDto.fromEntity(await this.configurations.update(caller.userId, agentId, dto));
  }
}
