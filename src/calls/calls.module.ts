import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Agent } from '../agents/agent.entity.js';
import { IdempotencyModule } from '../common/idempotency/idempotency.module.js';
import { PhoneNumber } from '../phone-numbers/phone-number.entity.js';
import { Call } from './call.entity.js';
import { CallsController } from './calls.controller.js';
import { CallsService } from './calls.service.js';

@Module({
  imports: [MikroOrmModule.forFeature([Call, Agent, PhoneNumber]), IdempotencyModule],
  controllers: [CallsController],
  providers: [CallsService],
  exports: [CallsService],
})
export class CallsModule {}
