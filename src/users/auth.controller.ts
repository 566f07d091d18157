import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '../common/auth/public.decorator.js';
import { ErrorEnvelopeDto } from '../common/errors/error-envelope.dto.js';
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
  @ApiConflictResponse({ type: ErrorEnvelopeDto, description: 'Username or e-mail taken' })
  async register(@Body() dto: RegisterDto): Promise<UserResponseDto> {
    return UserResponseDto.fromEntity(await this.users.register(dto));
  }

  /** Exchange a username or e-mail and password for an access token and a refresh token. */
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenPairDto })
  @ApiUnauthorizedResponse({ type: ErrorEnvelopeDto })
  @ApiTooManyRequestsResponse({ type: ErrorEnvelopeDto })
  login(@Body() dto: LoginDto, @Req() request: FastifyRequest): Promise<TokenPairDto> {
    return this.users.login(dto, request.ip);
  }

  /** Rotate a refresh token: the presented one is spent, a new pair is returned. */
  @Post('refresh')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenPairDto })
  @ApiUnauthorizedResponse({ type: ErrorEnvelopeDto })
  refresh(@Body() dto: RefreshDto): Promise<TokenPairDto> {
    return this.users.refresh(dto.refreshToken);
  }
}
