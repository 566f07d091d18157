import { HttpException, Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { EntityManager } from '@mikro-orm/postgresql';
import { callsConfig } from '../../config/calls.config.js';
import { sha256Hex } from '../crypto/sha256.js';
import { toEnvelope, type ErrorEnvelopeDto } from '../errors/envelope.js';
import { ApiException, ValidationFailedException } from '../errors/app-exceptions.js';
import { canonicalJson } from '../openapi/stable-json.js';
import { IdempotencyKey } from './idempotency-key.entity.js';

const KEY = /^[\x21-\x7e]{1,255}$/;

export interface IdempotentResult<T> {
  status: number;
  body: T;
  replayed: boolean;
}

/**
 * `Idempotency-Key` semantics (Stripe's, and the IETF draft's): the first request with a key runs; a retry with the
 * same key and the same request gets the first response (success or server error) without running again; the same
 * key with a different request is a 422; a retry while the first is still running is a 409. Client errors (4xx) are
 * not stored, so a corrected retry may reuse the key. Keys are scoped per user and expire after a TTL.
 * Routes use it through `@Idempotent()`; this is the protocol, on the `idempotency_keys` table.
 */
@Injectable()
export class IdempotencyService {
  constructor(
    private readonly em: EntityManager,
    @Inject(callsConfig.KEY) private readonly config: ConfigType<typeof callsConfig>,
  ) {}

  /**
   * Runs `work` at most once per (owner, key, request). `request` is anything that identifies the request (it is
   * fingerprinted, key order ignored). No connection is held while `work` runs: the claim is its own statement,
   * committed at once, so a concurrent request with the same key sees it.
   */
  async run<T>(ownerId: number, key: unknown, request: unknown, work: () => Promise<T>, successStatus = 201): Promise<IdempotentResult<T>> {
    if (key === undefined) return { status: successStatus, body: await work(), replayed: false };
    if (typeof key !== 'string' || !KEY.test(key)) {
      throw new ValidationFailedException([{ field: 'Idempotency-Key', messages: ['must be 1-255 visible ASCII characters'] }]);
    }
    const requestHash = sha256Hex(canonicalJson(request));
    const claimed = await this.claim(ownerId, key, requestHash);
    if (!claimed) return this.replay(ownerId, key, requestHash);
    try {
      const body = await work();
      await this.em.nativeUpdate(IdempotencyKey, { id: claimed }, { responseStatus: successStatus, responseBody: body as object, completedAt: new Date() });
      return { status: successStatus, body, replayed: false };
    } catch (error) {
      const envelope = toEnvelope(error, () => undefined);
      if (envelope.statusCode < 500) {
        await this.em.nativeDelete(IdempotencyKey, { id: claimed });
      } else {
        await this.em.nativeUpdate(IdempotencyKey, { id: claimed }, { responseStatus: envelope.statusCode, responseBody: envelope, completedAt: new Date() });
      }
      throw error;
    }
  }

  /** An atomic claim, committed at once so a concurrent request with the same key sees it. */
  private async claim(ownerId: number, key: string, requestHash: string): Promise<number | undefined> {
    const ttlCutoff = new Date(Date.now() - this.config.idempotencyTtlHours * 3600_000);
    await this.em.nativeDelete(IdempotencyKey, { user: ownerId, key, createdAt: { $lt: ttlCutoff } });
    const rows = await this.em.execute<{ id: number }[]>(
      `insert into idempotency_keys (user_id, key, request_hash, created_at) values (?, ?, ?, now())
       on conflict (user_id, key) do nothing returning id`,
      [ownerId, key, requestHash],
    );
    return rows[0]?.id;
  }

  private async replay<T>(ownerId: number, key: string, requestHash: string): Promise<IdempotentResult<T>> {
    const record = await this.em.findOne(IdempotencyKey, { user: ownerId, key }, { disableIdentityMap: true });
    if (!record) throw new ApiException(409, 'A request with this Idempotency-Key just finished; retry');
    if (record.requestHash !== requestHash) {
      throw new ApiException(422, 'This Idempotency-Key was used with a different request');
    }
    if (record.responseStatus == null) {
      throw new ApiException(409, 'A request with this Idempotency-Key is still in progress', { retryAfterSeconds: 1 });
    }
    if (record.responseStatus >= 400) {
      const stored = record.responseBody as ErrorEnvelopeDto;
      throw new ReplayedError(record.responseStatus, stored);
    }
    return { status: record.responseStatus, body: record.responseBody as T, replayed: true };
  }
}

/** A stored error answer, sent again as it was. */
export class ReplayedError extends HttpException {
  constructor(status: number, envelope: ErrorEnvelopeDto) {
    super({ ...envelope, requestId: undefined }, status);
  }
}
