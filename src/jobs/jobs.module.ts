import { DynamicModule, Global, Module } from '@nestjs/common';
import { JOBS_DATABASE_URL, JobsService } from './jobs.service.js';
import { OutboxRelay } from './outbox-relay.js';

@Global()
@Module({})
export class JobsModule {
  static register(options: { databaseUrl: string }): DynamicModule {
    return {
      module: JobsModule,
      providers: [{ provide: JOBS_DATABASE_URL, useValue: options.databaseUrl }, JobsService, OutboxRelay],
      exports: [JobsService, OutboxRelay],
    };
  }
}
