import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { type AuthPrincipal, CurrentUser } from '../common/auth/current-user.decorator.js';
import { JwtOnly } from '../common/auth/jwt-only.decorator.js';
import { mapPage, PageQueryDto } from '../common/pagination/page.dto.js';
import { ParseIdPipe } from '../common/pagination/parse-id.pipe.js';
import { ApiKeysService } from './api-keys.service.js';
import { ApiKeyPageDto, ApiKeyResponseDto, CreatedApiKeyResponseDto } from './dto/api-key-response.dto.js';
import { CreateApiKeyDto } from './dto/create-api-key.dto.js';

@ApiTags('api-keys')
@JwtOnly()
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  /** Create an API key for a partner system. The secret is in this response only. */
  @Post()
  @ApiCreatedResponse({ type: CreatedApiKeyResponseDto })
  create(@CurrentUser() caller: AuthPrincipal, @Body() dto: CreateApiKeyDto): Promise<CreatedApiKeyResponseDto> {
    return this.apiKeys.create(caller.userId, dto);
  }

  /** The caller's keys, newest first; never the secrets. */
  @Get()
  @ApiOkResponse({ type: ApiKeyPageDto })
  async list(@CurrentUser() caller: AuthPrincipal, @Query() page: PageQueryDto): Promise<ApiKeyPageDto> {
    return mapPage(await this.apiKeys.list(caller.userId, page.limit, page.cursor), ApiKeyResponseDto.fromEntity);
  }

  /** One of the caller's keys. */
  @Get(':id')
  @ApiOkResponse({ type: ApiKeyResponseDto })
  @ApiErrors(404)
  async get(@CurrentUser() caller: AuthPrincipal, @Param('id', ParseIdPipe) id: number): Promise<ApiKeyResponseDto> {
    return ApiKeyResponseDto.fromEntity(await this.apiKeys.get(caller.userId, id));
  }

  /** Revoke a key: it stops working at once. */
  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiErrors(404)
  async revoke(@CurrentUser() caller: AuthPrincipal, @Param('id', ParseIdPipe) id: number): Promise<void> {
    await this.apiKeys.revoke(caller.userId, id);
  }
}
