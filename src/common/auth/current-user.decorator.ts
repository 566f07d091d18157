import { createParamDecorator, ExecutionContext } from '@nestjs/common';

/** Who is calling: set by the global guard from a JWT or an API key. */
export interface AuthPrincipal {
  userId: number;
  /** How the caller authenticated; API keys may not manage credentials. */
  via: 'jwt' | 'api-key';
  apiKeyId?: number;
}

export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): AuthPrincipal => {
  const request = context.switchToHttp().getRequest<{ user?: AuthPrincipal }>();
  if (!request.user) throw new Error('CurrentUser used on a route without authentication');
  return request.user;
});
