import { Global, Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Event } from './event.entity.js';
import { EventsController } from './events.controller.js';
import { EventsRetention } from './events-retention.js';
import { EventsService } from './events.service.js';

/** Global: agents and phone numbers record their events through EventsService in their own transactions. */
@Global()
@Module({
  imports: [MikroOrmModule.forFeature([Event])],
  controllers: [EventsController],
  providers: [EventsService, EventsRetention],
  exports: [EventsService],
})
export class EventsModule {}
