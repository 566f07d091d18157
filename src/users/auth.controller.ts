import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { Public } from '../common/auth/public.decorator.js';
import { LoginDto, RefreshDto } from './dto/login.dto.js';
import { RegisterDto } from './dto/register.dto.js';
import { TokenPairDto, UserResponseDto } from './dto/user-response.dto.js';
import { UsersService } from './users.service.js';

@ApiTags('auth')
@Public()
@Controller('auth')
export class AuthController {
  constructor(private readonly users: UsersService) {}

  /** Create an account. */
  @Post('register')
  @ApiCreatedResponse({ type: UserResponseDto })
  @ApiErrors({ 409: 'Username or e-mail taken.' })
  async register(@Body() dto: RegisterDto): Promise<UserResponseDto> {
    return UserResponseDto.fromEntity(await this.users.register(dto));
  }

  /** Exchange a username or e-mail and password for an access token and a refresh token. */
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenPairDto })
  @ApiErrors({ 401: 'Wrong login or password, or a deactivated account.', 429: 'Too many failed logins; retry after `retryAfterSeconds`.' })
  login(@Body() dto: LoginDto, @Req() request: FastifyRequest): Promise<TokenPairDto> {
    return this.users.login(dto, request.ip);
  }

  /** Rotate a refresh token: the presented one is spent, a new pair is returned. */
  @Post('refresh')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenPairDto })
  @ApiErrors({ 401: 'Unknown, expired or already used refresh token.' })
  refresh(@Body() dto: RefreshDto): Promise<TokenPairDto> {
    return this.users.refresh(dto.refreshToken);
  }
}
