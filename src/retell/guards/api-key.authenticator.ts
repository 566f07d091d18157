import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { authConfig } from '../../config/auth.config.js';
import type { AuthPrincipal } from '../../common/auth/current-user.decorator.js';
import { ApiKeyRepository } from '../../api-keys/api-key.repository.js';
import { hashApiKey, isWellFormedApiKey } from '../../api-keys/api-key-secret.js';

/**
 * Resolves an `x-api-key` to its owner, or undefined. Malformed keys (wrong shape or checksum) are refused without a
 * query; unknown, revoked, expired and deactivated-owner keys are refused alike.
 */
@Injectable()
export class ApiKeyAuthenticator {
  constructor(
    private readonly keys: ApiKeyRepository,
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
  ) {}

  async authenticate(presented: string): Promise<AuthPrincipal | undefined> {
    if (!isWellFormedApiKey(presented)) return undefined;
    const key = await this.keys.findForAuthentication(hashApiKey(presented));
    const now = new Date();
    if (!key || !key.isActive || (key.expiresAtMs !== null && key.expiresAtMs <= now.getTime()) || !key.userActive) return undefined;
    // Debounced: a write at most once per interval per key, not on every request.
    const stale = key.lastUsedAtMs === null || now.getTime() - key.lastUsedAtMs >= this.config.apiKeyTouchIntervalSeconds * 1000;
    if (stale) await this.keys.touch(key.id, now);
    return { userId: key.userId, via: 'api-key', apiKeyId: key.id };
  }
}
