import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { ApiException } from '../errors/app-exceptions.js';

export interface RateLimit {
  /** e.g. `calls`; the bucket is per `name` and owner. */
  name: string;
  /** How many may be taken at once (and per `periodSeconds`). */
  capacity: number;
  periodSeconds: number;
  /** What the 429 says. */
  message: string;
}

/**
 * A token bucket per limit and owner, in PostgreSQL: `capacity` tokens, refilled at `capacity / periodSeconds` per
 * second. Taking a token is one statement — the refill, the check and the decrement under the row's lock — so any
 * number of concurrent requests on any number of instances take at most what is there. A slot is taken BEFORE the
 * side effect it pays for and given back if that side effect did not happen.
 */
@Injectable()
export class RateLimiter {
  constructor(private readonly em: EntityManager) {}

  /** Takes one token or throws 429 with the seconds until one is back. */
  async take(limit: RateLimit, ownerId: number): Promise<void> {
    const rate = limit.capacity / limit.periodSeconds;
    const rows = await this.em.getConnection().execute<{ tokens: number }[]>(
      `insert into rate_limits as b (key, tokens, updated_at) values (?, ?::float8 - 1, now())
       on conflict (key) do update
         set tokens = least(?::float8, b.tokens + extract(epoch from now() - b.updated_at) * ?::float8) - 1, updated_at = now()
         where least(?::float8, b.tokens + extract(epoch from now() - b.updated_at) * ?::float8) >= 1
       returning tokens`,
      [key(limit, ownerId), limit.capacity, limit.capacity, rate, limit.capacity, rate],
    );
    if (rows.length > 0) return;
    const [bucket] = await this.em.getConnection().execute<{ tokens: number }[]>(
      `select least(?::float8, tokens + extract(epoch from now() - updated_at) * ?::float8) as tokens from rate_limits where key = ?`,
      [limit.capacity, rate, key(limit, ownerId)],
    );
    const missing = Math.max(0, 1 - Number(bucket?.tokens ?? 0));
    throw new ApiException(429, limit.message, { retryAfterSeconds: Math.max(1, Math.ceil(missing / rate)) });
  }

  /** Gives a token back (the side effect it was taken for did not happen). */
  async giveBack(limit: RateLimit, ownerId: number): Promise<void> {
    await this.em.getConnection().execute(`update rate_limits set tokens = least(?::float8, tokens + 1) where key = ?`, [limit.capacity, key(limit, ownerId)]);
  }
}

function key(limit: RateLimit, ownerId: number): string {
  return `${limit.name}:${ownerId}`;
}
