import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Agent } from '../agents/agent.entity.js';
import { CallsModule } from '../calls/calls.module.js';
import { RetellWebhooksController } from './retell-webhooks.controller.js';
import { RetellWebhooksService } from './retell-webhooks.service.js';
import { WebhookEvent } from './webhook-event.entity.js';

@Module({
  imports: [MikroOrmModule.forFeature([WebhookEvent, Agent]), CallsModule],
  controllers: [RetellWebhooksController],
  providers: [RetellWebhooksService],
})
export class WebhooksModule {}
