import { SetMetadata, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension } from '@nestjs/swagger';

export const JWT_ONLY = 'auth:jwt-only';

/**
 * Routes that manage credentials (API keys, the profile) need a user's JWT: an API key authenticates a partner
 * system, not the person (OWASP API2), so it cannot mint or revoke keys.
 */
export const JwtOnly = () => applyDecorators(SetMetadata(JWT_ONLY, true), ApiBearerAuth('bearer'), ApiExtension('x-jwt-only', true));
