import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { EntityManager } from '@mikro-orm/postgresql';
import { authConfig } from '../config/auth.config.js';
import { sha256Hex } from '../common/crypto/sha256.js';
import { ApiException } from '../common/errors/app-exceptions.js';
import { RefreshToken } from './refresh-token.entity.js';
import type { TokenPairDto } from './dto/user-response.dto.js';
import { User } from './user.entity.js';

export const ACCESS_TOKEN_TYPE = 'access';
const REFRESH_PREFIX = 'rtr_';

/** Issues access JWTs and rotates opaque refresh tokens (reuse of a spent one revokes its whole family). */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly em: EntityManager,
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
  ) {}

  /** Adds a refresh token to the unit of work; the caller flushes. */
  issue(user: User, family: string = randomUUID()): TokenPairDto {
    const refreshToken = REFRESH_PREFIX + randomBytes(32).toString('base64url');
    const refreshTokenExpiresAt = new Date(Date.now() + this.config.refreshTokenTtlSeconds * 1000);
    this.em.persist(
      this.em.create(RefreshToken, { user, family, tokenHash: sha256Hex(refreshToken), expiresAt: refreshTokenExpiresAt }),
    );
    const accessToken = this.jwt.sign(
      { typ: ACCESS_TOKEN_TYPE },
      { subject: String(user.id), jwtid: randomUUID(), expiresIn: this.config.accessTokenTtlSeconds },
    );
    return { accessToken, tokenType: 'Bearer', expiresIn: this.config.accessTokenTtlSeconds, refreshToken, refreshTokenExpiresAt };
  }

  async rotate(presented: string): Promise<TokenPairDto> {
    const invalid = () => new ApiException(401, 'Invalid refresh token');
    if (!presented.startsWith(REFRESH_PREFIX)) throw invalid();
    const token = await this.em.findOne(RefreshToken, { tokenHash: sha256Hex(presented) }, { populate: ['user'] });
    if (!token || token.revokedAt) throw invalid();
    const now = new Date();
    // Spend the token with a conditional UPDATE so two concurrent refreshes cannot both succeed.
    const spent = token.usedAt
      ? 0
      : await this.em.nativeUpdate(RefreshToken, { id: token.id, usedAt: null }, { usedAt: now });
    if (spent === 0) {
      await this.revokeFamily(token.family);
      throw invalid();
    }
    const user = token.user.getEntity();
    if (token.expiresAt <= now || !user.isActive) throw invalid();
    const pair = this.issue(user, token.family);
    await this.em.flush();
    return pair;
  }

  revokeFamily(family: string): Promise<number> {
    return this.em.nativeUpdate(RefreshToken, { family, revokedAt: null }, { revokedAt: new Date() });
  }

  revokeAllForUser(userId: number): Promise<number> {
    return this.em.nativeUpdate(RefreshToken, { user: userId, revokedAt: null }, { revokedAt: new Date() });
  }
}
