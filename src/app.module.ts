import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, type ConfigType } from '@nestjs/config';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { AgentToolsModule } from './agent-tools/agent-tools.module.js';
import { AgentsModule } from './agents/agents.module.js';
import { ApiKeysModule } from './api-keys/api-keys.module.js';
import { CallsModule } from './calls/calls.module.js';
import { CampaignsModule } from './campaigns/campaigns.module.js';
import { AnalyticsModule } from './analytics/analytics.module.js';
import { ContactsModule } from './contacts/contacts.module.js';
import { appConfig, authConfig, callsConfig, campaignsConfig, databaseConfig, jobsConfig, retellConfig, webhooksConfig } from './config/index.js';
import { ClockModule } from './common/clock.js';
import { LimitsModule } from './common/limits/limits.module.js';
import { MigrationRunner } from './database/migration-runner.js';
import { ormOptions } from './database/orm-options.js';
import { EventsModule } from './events/events.module.js';
import { HealthController } from './health/health.controller.js';
import { InboundRoutingModule } from './inbound-routing/inbound-routing.module.js';
import { JobsModule } from './jobs/jobs.module.js';
import { LlmConfigurationsModule } from './llm-configurations/llm-configurations.module.js';
import { PhoneNumbersModule } from './phone-numbers/phone-numbers.module.js';
import { RetellModule } from './retell/retell.module.js';
import { UsersModule } from './users/users.module.js';
import { VoicesModule } from './voices/voices.module.js';
import { WebhookEndpointsModule } from './webhook-endpoints/webhook-endpoints.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';

export interface AppModuleOptions {
  /** The PostgreSQL to use (external, or the embedded one the caller started). */
  databaseUrl: string;
}

@Module({})
export class AppModule {
  static register(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          cache: true,
          // main.ts loads .env itself (process.loadEnvFile) before anything reads the configuration.
          ignoreEnvFile: true,
          load: [appConfig, authConfig, callsConfig, databaseConfig, retellConfig, jobsConfig, webhooksConfig, campaignsConfig],
        }),
        MikroOrmModule.forRootAsync({
          driver: PostgreSqlDriver,
          inject: [databaseConfig.KEY],
          useFactory: (database: ConfigType<typeof databaseConfig>) => ({
            ...ormOptions({
              url: options.databaseUrl,
              poolMax: database.poolMax,
              debug: database.debugSql,
              connectTimeoutMs: database.connectTimeoutMs,
              quietMigrations: true,
            }),
            registerRequestContext: true,
          }),
        }),
        RetellModule,
        LimitsModule,
        ClockModule,
        UsersModule,
        ApiKeysModule,
        AgentsModule,
        LlmConfigurationsModule,
        AgentToolsModule,
        VoicesModule,
        PhoneNumbersModule,
        CallsModule,
        WebhooksModule,
        JobsModule.register(options),
        EventsModule,
        WebhookEndpointsModule,
        ContactsModule,
        AnalyticsModule,
        InboundRoutingModule,
        CampaignsModule,
      ],
      controllers: [HealthController],
      providers: [MigrationRunner],
    };
  }
}
