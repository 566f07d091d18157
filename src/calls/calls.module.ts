import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Agent } from '../agents/agent.entity.js';
import { IdempotencyKey } from '../common/idempotency/idempotency-key.entity.js';
import { IdempotencyService } from '../common/idempotency/idempotency.service.js';
import { PhoneNumber } from '../phone-numbers/phone-number.entity.js';
import { Call } from './call.entity.js';
import { CallsController } from './calls.controller.js';
import { CallsService } from './calls.service.js';

@Module({
  imports: [MikroOrmModule.forFeature([Call, Agent, PhoneNumber, IdempotencyKey])],
  controllers: [CallsController],
  providers: [CallsService, IdempotencyService],
  exports: [CallsService],
})
export class CallsModule {}
