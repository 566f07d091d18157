import { Global, Module } from '@nestjs/common';
import { DialSlots } from './dial-slots.js';
import { EditLeases } from './edit-leases.js';
import { RateLimiter } from './rate-limiter.js';

/** Limits shared by every instance, kept in PostgreSQL: rate buckets, edit claims and dial slots. */
@Global()
@Module({
  providers: [RateLimiter, EditLeases, DialSlots],
  exports: [RateLimiter, EditLeases, DialSlots],
})
export class LimitsModule {}
