import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { WebhookDelivery } from './webhook-delivery.entity.js';
import { WebhookDeliveryWorker } from './webhook-delivery.worker.js';
import { WebhookEndpoint } from './webhook-endpoint.entity.js';
import { WebhookEndpointsController } from './webhook-endpoints.controller.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';
import { WebhookSigner } from './webhook-signer.js';

@Module({
  imports: [MikroOrmModule.forFeature([WebhookEndpoint, WebhookDelivery])],
  controllers: [WebhookEndpointsController],
  providers: [WebhookEndpointsService, WebhookSigner, WebhookDeliveryWorker],
})
export class WebhookEndpointsModule {}
