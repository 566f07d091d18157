import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Call } from '../calls/call.entity.js';
import { RetellWebhooksController } from './retell-webhooks.controller.js';
import { RetellWebhooksService } from './retell-webhooks.service.js';

@Module({
  imports: [MikroOrmModule.forFeature([Call])],
  controllers: [RetellWebhooksController],
  providers: [RetellWebhooksService],
  // The inbound-call webhook (src/inbound-routing) verifies Retell's signature with the same check.
  exports: [RetellWebhooksService],
})
export class WebhooksModule {}
