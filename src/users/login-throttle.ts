import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { EntityManager } from '@mikro-orm/postgresql';
import { authConfig } from '../config/auth.config.js';
import { ApiException } from '../common/errors/app-exceptions.js';

const WINDOW = "interval '1 minute'";

/** Whose attempts are counted together: an account, or (for a login no account has) the login string itself. */
export type LoginSubject = { userId: number } | { unknownLogin: string };

/**
 * At most LOGIN_ATTEMPTS_PER_MINUTE password checks per account and client address in a fixed one-minute window;
 * beyond that the answer is 429 with retry-after, whatever the password. The slot is taken in PostgreSQL *before* the
 * password is checked, in one conditional upsert, so concurrent guesses and any number of app instances share the
 * limit. A username and an e-mail of the same account count as one. A success clears the counter.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
    private readonly em: EntityManager,
  ) {}

  /** Takes one attempt or throws 429. */
  async take(subject: LoginSubject, ip: string): Promise<void> {
    const keyHash = this.key(subject, ip);
    // ON CONFLICT DO UPDATE locks the row: concurrent attempts queue on it and each re-reads the count, so exactly
    // `limit` of them get a row back. An expired window restarts at 1.
    const taken = await this.em.execute<Array<{ attempts: number }>>(
      `insert into login_attempts as a (key_hash, window_start, attempts) values (?, localtimestamp, 1)
       on conflict (key_hash) do update
         set window_start = case when a.window_start <= localtimestamp - ${WINDOW} then localtimestamp else a.window_start end,
             attempts = case when a.window_start <= localtimestamp - ${WINDOW} then 1 else a.attempts + 1 end
         where a.window_start <= localtimestamp - ${WINDOW} or a.attempts < ?
       returning attempts`,
      [keyHash, this.config.loginAttemptsPerMinute],
    );
    if (taken.length > 0) {
      // Windows that ended long ago are of no use; dropping them now and then keeps the table small without a job.
      if (Math.random() < 0.01) await this.em.execute(`delete from login_attempts where window_start < localtimestamp - interval '1 hour'`);
      return;
    }
    const [row] = await this.em.execute<Array<{ seconds: number }>>(
      `select greatest(1, ceil(extract(epoch from (window_start + ${WINDOW} - localtimestamp))))::int as seconds
         from login_attempts where key_hash = ?`,
      [keyHash],
    );
    throw new ApiException(429, 'Too many failed logins; try again later', { retryAfterSeconds: row?.seconds ?? 60 });
  }

  async clear(subject: LoginSubject, ip: string): Promise<void> {
    await this.em.execute('delete from login_attempts where key_hash = ?', [this.key(subject, ip)]);
  }

  private key(subject: LoginSubject, ip: string): string {
    const who = 'userId' in subject ? `account:${subject.userId}` : `login:${subject.unknownLogin.toLowerCase()}`;
    return createHash('sha256').update(`${who}\n${ip}`).digest('hex');
  }
}
