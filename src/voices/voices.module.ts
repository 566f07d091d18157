import { Module } from '@nestjs/common';
import { VoicesController } from './voices.controller.js';
import { VoicesService } from './voices.service.js';

/** Retell's voice catalogue: `GET /voices`, and the voice check agents use. No table of its own. */
@Module({
  controllers: [VoicesController],
  providers: [VoicesService],
  exports: [VoicesService],
})
export class VoicesModule {}
