import { Global, Module } from '@nestjs/common';
import { EditLeases } from './edit-leases.js';
import { RateLimiter } from './rate-limiter.js';

/** Limits shared by every instance, kept in PostgreSQL: rate buckets and edit claims. */
@Global()
@Module({
  providers: [RateLimiter, EditLeases],
  exports: [RateLimiter, EditLeases],
})
export class LimitsModule {}
