import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard as PassportAuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import type { AuthPrincipal } from '../../common/auth/current-user.decorator.js';
import { JWT_ONLY } from '../../common/auth/jwt-only.decorator.js';
import { IS_PUBLIC } from '../../common/auth/public.decorator.js';
import { ApiException } from '../../common/errors/app-exceptions.js';
import { ApiKeyAuthenticator } from './api-key.authenticator.js';

// Each says which credential failed, so a caller knows what to fix (an expired token is refreshed, a bad key replaced).
const unauthorized = () => new ApiException(401, 'Authentication required: send a bearer token or an x-api-key');
const invalidApiKey = () => new ApiException(401, 'Invalid API key');
const invalidToken = () => new ApiException(401, 'Invalid or expired access token');

/** Passport's JWT guard, answering with our envelope instead of passport's. */
@Injectable()
export class JwtAuthGuard extends PassportAuthGuard('jwt') {
  override handleRequest<T>(error: unknown, user: T, _info: unknown, context: ExecutionContext): T {
    const sent = context.switchToHttp().getRequest<FastifyRequest>().headers.authorization !== undefined;
    if (error || !user) throw sent ? invalidToken() : unauthorized();
    return user;
  }
}

/**
 * The one global guard: every route needs a JWT (`Authorization: Bearer`) or an API key (`x-api-key`) unless it is
 * marked @Public(). A bearer token wins when both are sent. Routes marked @JwtOnly() refuse API keys with 403.
 */
@Injectable()
export class AppAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwtGuard: JwtAuthGuard,
    private readonly apiKeys: ApiKeyAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: AuthPrincipal }>();
    const apiKey = request.headers['x-api-key'];
    if (request.headers.authorization === undefined && apiKey !== undefined) {
      if (typeof apiKey !== 'string') throw invalidApiKey();
      const principal = await this.apiKeys.authenticate(apiKey);
      if (!principal) throw invalidApiKey();
      if (this.reflector.getAllAndOverride<boolean>(JWT_ONLY, targets)) {
        throw new ApiException(403, 'This route needs a user access token; API keys cannot manage credentials');
      }
      request.user = principal;
      return true;
    }
    return (await this.jwtGuard.canActivate(context)) as boolean;
  }
}
