import { Module } from '@nestjs/common';
import { RetellWebhooksController } from './retell-webhooks.controller.js';
import { RetellWebhooksService } from './retell-webhooks.service.js';

@Module({
  controllers: [RetellWebhooksController],
  providers: [RetellWebhooksService],
})
export class WebhooksModule {}
