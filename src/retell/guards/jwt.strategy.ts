import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { authConfig } from '../../config/auth.config.js';
import type { AuthPrincipal } from '../../common/auth/current-user.decorator.js';
import { UserRepository } from '../../users/user.repository.js';
import { ACCESS_TOKEN_TYPE } from '../../users/token.service.js';

/** Verifies access JWTs: HS256 only (no `none`, no algorithm confusion), issuer and audience checked, expiry enforced. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(authConfig.KEY) config: ConfigType<typeof authConfig>,
    private readonly users: UserRepository,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.jwtSecret,
      algorithms: ['HS256'],
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
      ignoreExpiration: false,
      jsonWebTokenOptions: { clockTolerance: 30 },
    });
  }

  /** A deactivated or deleted user's tokens stop working at once: the user is looked up on every request. */
  async validate(payload: { sub?: unknown; typ?: unknown }): Promise<AuthPrincipal | false> {
    if (payload.typ !== ACCESS_TOKEN_TYPE || typeof payload.sub !== 'string' || !/^\d+$/.test(payload.sub)) return false;
    const user = await this.users.findActiveById(Number(payload.sub));
    return user ? { userId: user.id, via: 'jwt' } : false;
  }
}
