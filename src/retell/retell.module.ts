import { Global, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { ApiKey } from '../api-keys/api-key.entity.js';
import { authConfig } from '../config/auth.config.js';
import { User } from '../users/user.entity.js';
import { ApiKeyAuthenticator } from './guards/api-key.authenticator.js';
import { AppAuthGuard, JwtAuthGuard } from './guards/auth.guard.js';
import { JWT_ALGORITHM, JwtStrategy } from './guards/jwt.strategy.js';
import { RetellConnection, retellClientProvider } from './retell-client.provider.js';
import { RetellGateway } from './retell.gateway.js';

/**
 * Shared by every table module (design card): the Retell gateway (`RetellGateway`, the only code that calls
 * retell-sdk, over the injectable client) and the authentication guards — one global guard over JWT and API keys.
 */
@Global()
@Module({
  imports: [
    PassportModule,
    JwtModule.registerAsync({
      global: true,
      inject: [authConfig.KEY],
      // Signing only: access tokens are verified in one place, JwtStrategy.
      useFactory: (config: ConfigType<typeof authConfig>) => ({
        secret: config.jwtSecret,
        signOptions: { algorithm: JWT_ALGORITHM, issuer: config.jwtIssuer, audience: config.jwtAudience },
      }),
    }),
    MikroOrmModule.forFeature([User, ApiKey]),
  ],
  providers: [
    RetellConnection,
    retellClientProvider,
    RetellGateway,
    JwtStrategy,
    JwtAuthGuard,
    ApiKeyAuthenticator,
    { provide: APP_GUARD, useClass: AppAuthGuard },
  ],
  exports: [RetellGateway, RetellConnection],
})
export class RetellModule {}
