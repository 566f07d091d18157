import { Body, Controller, Delete, Get, HttpCode, Patch } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { type AuthPrincipal, CurrentUser } from '../common/auth/current-user.decorator.js';
import { JwtOnly } from '../common/auth/jwt-only.decorator.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { UpdateMeDto } from './dto/update-me.dto.js';
import { UserResponseDto } from './dto/user-response.dto.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@Controller('users/me')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /** The calling user. */
  @Get()
  @ApiOkResponse({ type: UserResponseDto })
  async getMe(@CurrentUser() caller: AuthPrincipal): Promise<UserResponseDto> {
    return UserResponseDto.fromEntity(await this.users.getMe(caller.userId));
  }

  /** Update the profile; e-mail and password changes need the current password. */
  @Patch()
  @JwtOnly()
  @ApiOkResponse({ type: UserResponseDto })
  @ApiErrors({ 409: 'Username or e-mail taken (whatever its case).' })
  async updateMe(@CurrentUser() caller: AuthPrincipal, @Body() dto: UpdateMeDto): Promise<UserResponseDto> {
    return UserResponseDto.fromEntity(await this.users.updateMe(caller.userId, dto));
  }

  /** Deactivate the account: logins, tokens and API keys stop working. */
  @Delete()
  @JwtOnly()
  @HttpCode(204)
  @ApiNoContentResponse()
  async deactivate(@CurrentUser() caller: AuthPrincipal): Promise<void> {
    await this.users.deactivate(caller.userId);
  }
}
