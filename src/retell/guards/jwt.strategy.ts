import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { authConfig } from '../../config/auth.config.js';
import type { AuthPrincipal } from '../../common/auth/current-user.decorator.js';
import { UserRepository } from '../../users/user.repository.js';
import { ACCESS_TOKEN_TYPE } from '../../users/token.service.js';

/** The one algorithm access tokens are signed with (RetellModule's JwtModule) and the only one accepted here. */
export const JWT_ALGORITHM = 'HS256';

/**
 * The one place access JWTs are verified (JwtService only signs them): HS256 only (no `none`, no algorithm
 * confusion), issuer and audience checked, `exp` required and enforced (RFC 8725: a token without one would never
 * expire), `typ` must say access.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(authConfig.KEY) config: ConfigType<typeof authConfig>,
    private readonly users: UserRepository,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.jwtSecret,
      algorithms: [JWT_ALGORITHM],
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
      ignoreExpiration: false,
      jsonWebTokenOptions: { clockTolerance: 30 },
    });
  }

  /** A deactivated or deleted user's tokens stop working at once: the user is looked up on every request. */
  async validate(payload: { sub?: unknown; typ?: unknown; exp?: unknown }): Promise<AuthPrincipal | false> {
    // jsonwebtoken checks `exp` only when present, so its absence is refused here.
    if (typeof payload.exp !== 'number') return false;
    if (payload.typ !== ACCESS_TOKEN_TYPE || typeof payload.sub !== 'string' || !/^\d+$/.test(payload.sub)) return false;
    const user = await this.users.findActiveById(Number(payload.sub));
    return user ? { userId: user.id, via: 'jwt' } : false;
  }
}
