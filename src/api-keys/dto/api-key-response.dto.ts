import { PageOf } from '../../common/pagination/page.dto.js';
import type { ApiKey } from '../api-key.entity.js';

export class ApiKeyResponseDto {
  /** @example 7 */
  id: number;
  /** @example "CRM integration" */
  keyName: string;
  /** The key's first characters. @example "rtm_live_a1B2" */
  keyPrefix: string;
  /** The key's last four characters. @example "9xQz" */
  lastFour: string;
  /** False once revoked. */
  isActive: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;

  static fromEntity(key: ApiKey): ApiKeyResponseDto {
    return {
      id: key.id,
      keyName: key.keyName,
      keyPrefix: key.keyPrefix,
      lastFour: key.lastFour,
      isActive: key.isActive,
      createdAt: key.createdAt,
      lastUsedAt: key.lastUsedAt ?? null,
      expiresAt: key.expiresAt ?? null,
    };
  }
}

/** Returned once, at creation: the only time the secret is shown. */
export class CreatedApiKeyResponseDto extends ApiKeyResponseDto {
  /** The secret. Send it as the `x-api-key` header; it cannot be shown again. @example "rtm_live_a1B2..." */
  key: string;
}

export class ApiKeyPageDto extends PageOf(ApiKeyResponseDto) {}
