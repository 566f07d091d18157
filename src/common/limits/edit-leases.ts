import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { EntityManager } from '@mikro-orm/postgresql';
import { retellConfig } from '../../config/retell.config.js';
import { ApiException } from '../errors/app-exceptions.js';

/** A held claim: `renew()` before each further Retell round trip keeps it from expiring mid-change. */
export interface Lease {
  renew(): Promise<void>;
}

/** Every change of one agent that talks to Retell (the agent, its LLM configuration, its tools) runs under this. */
export const agentLease = (agentId: number) => `agent:${agentId}`;
export const phoneNumberLease = (numberId: number) => `phone_number:${numberId}`;

const POLL_MS = [25, 50, 100, 200, 400];

/**
 * Serialises the changes of one resource (an agent, a phone number) that talk to Retell, across requests and
 * instances, without holding a transaction, a row lock or a pooled connection while Retell answers: a claim row is
 * taken and released by single statements, and a waiting request sleeps between attempts with no connection held.
 * The claim outlives the longest Retell round trip (`RETELL_TIMEOUT_MS` × attempts) and is renewed before each step,
 * so a claim of a process that died frees itself, while a slow but live one is never stolen.
 */
@Injectable()
export class EditLeases {
  private readonly ttlMs: number;

  constructor(
    private readonly em: EntityManager,
    @Inject(retellConfig.KEY) config: ConfigType<typeof retellConfig>,
  ) {
    this.ttlMs = config.timeoutMs * (config.maxRetries + 1) + 5_000;
  }

  async run<T>(resource: string, work: (lease: Lease) => Promise<T>): Promise<T> {
    const token = randomUUID();
    await this.acquire(resource, token);
    const lease: Lease = {
      renew: async () => {
        const renewed = await this.em.getConnection().execute<unknown[]>(
          `update edit_leases set expires_at = now() + ? * interval '1 millisecond' where resource = ? and token = ? returning 1`,
          [this.ttlMs, resource, token],
        );
        if (renewed.length === 0) throw new ApiException(409, 'Another change of this resource took over; retry', { retryAfterSeconds: 1 });
      },
    };
    try {
      return await work(lease);
    } finally {
      await this.em.getConnection().execute(`delete from edit_leases where resource = ? and token = ?`, [resource, token]);
    }
  }

  /** Waits (without a connection) for the claim up to one lease lifetime; past that the client gets a retryable 409. */
  private async acquire(resource: string, token: string): Promise<void> {
    const deadline = Date.now() + this.ttlMs;
    for (let attempt = 0; ; attempt++) {
      const taken = await this.em.getConnection().execute<unknown[]>(
        `insert into edit_leases as l (resource, token, expires_at) values (?, ?, now() + ? * interval '1 millisecond')
         on conflict (resource) do update set token = excluded.token, expires_at = excluded.expires_at where l.expires_at < now()
         returning 1`,
        [resource, token, this.ttlMs],
      );
      if (taken.length > 0) return;
      if (Date.now() >= deadline) {
        throw new ApiException(409, 'Another change of this resource is still in progress; retry', { retryAfterSeconds: 1 });
      }
      await sleep(POLL_MS[Math.min(attempt, POLL_MS.length - 1)]);
    }
  }
}
