import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { ResourceNotFoundException, ValidationFailedException } from '../common/errors/app-exceptions.js';
import type { Page } from '../common/pagination/page.dto.js';
import { User } from '../users/user.entity.js';
import { ApiKey } from './api-key.entity.js';
import { API_KEY_PAGES, ApiKeyRepository } from './api-key.repository.js';
import { displayParts, generateApiKey, hashApiKey } from './api-key-secret.js';
import { ApiKeyResponseDto, CreatedApiKeyResponseDto } from './dto/api-key-response.dto.js';
import type { CreateApiKeyDto } from './dto/create-api-key.dto.js';

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly em: EntityManager,
  ) {}

  async create(ownerId: number, dto: CreateApiKeyDto): Promise<CreatedApiKeyResponseDto> {
    const expiresAt = dto.expiresAt === undefined ? null : new Date(dto.expiresAt);
    if (expiresAt && expiresAt.getTime() <= Date.now()) {
      throw new ValidationFailedException([{ field: 'expiresAt', messages: ['must be in the future'] }]);
    }
    const secret = generateApiKey();
    const key = this.keys.create({
      user: this.em.getReference(User, ownerId),
      keyName: dto.keyName.trim(),
      keyHash: hashApiKey(secret),
      ...displayParts(secret),
      expiresAt,
    });
    await this.em.persist(key).flush();
    return { ...ApiKeyResponseDto.fromEntity(key), key: secret };
  }

  list(ownerId: number, limit: number, cursor?: string): Promise<Page<ApiKey>> {
    return this.keys.findPageForOwner(ownerId, API_KEY_PAGES.request(limit, cursor));
  }

  async get(ownerId: number, id: number): Promise<ApiKey> {
    const key = await this.keys.findForOwner(ownerId, id);
    if (!key) throw new ResourceNotFoundException('API key');
    return key;
  }

  /** Revocation keeps the row (it still shows in the list, inactive) so its history is not lost. */
  async revoke(ownerId: number, id: number): Promise<void> {
    const key = await this.get(ownerId, id);
    key.isActive = false;
    await this.em.flush();
  }
}
