import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { authConfig } from '../config/auth.config.js';
import { ApiException } from '../common/errors/app-exceptions.js';

const WINDOW_MS = 60_000;

/**
 * Counts failed logins per (login, client address) in a fixed one-minute window, in memory. Beyond the limit the
 * login answers 429 with retry-after, whatever the password, which blunts credential stuffing on one instance.
 */
@Injectable()
export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; windowStart: number }>();

  constructor(@Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>) {}

  assertAllowed(login: string, ip: string, now = Date.now()): void {
    const entry = this.failures.get(this.key(login, ip));
    if (!entry || now - entry.windowStart >= WINDOW_MS) return;
    if (entry.count >= this.config.loginAttemptsPerMinute) {
      const retryAfterSeconds = Math.ceil((entry.windowStart + WINDOW_MS - now) / 1000);
      throw new ApiException(429, 'Too many failed logins; try again later', { retryAfterSeconds });
    }
  }

  recordFailure(login: string, ip: string, now = Date.now()): void {
    const key = this.key(login, ip);
    const entry = this.failures.get(key);
    if (!entry || now - entry.windowStart >= WINDOW_MS) this.failures.set(key, { count: 1, windowStart: now });
    else entry.count += 1;
    if (this.failures.size > 10_000) this.evict(now);
  }

  recordSuccess(login: string, ip: string): void {
    this.failures.delete(this.key(login, ip));
  }

  private key(login: string, ip: string): string {
    return `${login.toLowerCase()}|${ip}`;
  }

  private evict(now: number): void {
    for (const [key, entry] of this.failures) if (now - entry.windowStart >= WINDOW_MS) this.failures.delete(key);
  }
}
