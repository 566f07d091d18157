import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Agent } from '../agents/agent.entity.js';
import { PhoneNumber } from '../phone-numbers/phone-number.entity.js';
import { WebhookSigner } from '../webhook-endpoints/webhook-signer.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { InboundAnswerController } from './inbound-answer.controller.js';
import { InboundAnswerService } from './inbound-answer.service.js';
import { InboundRouting } from './inbound-routing.entity.js';
import { InboundRoutingController } from './inbound-routing.controller.js';
import { InboundRoutingService } from './inbound-routing.service.js';

@Module({
  imports: [MikroOrmModule.forFeature([InboundRouting, PhoneNumber, Agent]), WebhooksModule],
  controllers: [InboundRoutingController, InboundAnswerController],
  // WebhookSigner: the partner webhooks' signer (Standard Webhooks), reused for the tenant's inbound webhook.
  providers: [InboundRoutingService, InboundAnswerService, WebhookSigner],
})
export class InboundRoutingModule {}
