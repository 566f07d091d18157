import { Migration } from '@mikro-orm/migrations';

export class Migration20261124041630 extends Migration {

  override name = 'Migration20261124041630';

  override up(): void | Promise<void> {
    this.addSql(`create table "idempotency_keys" ("id" serial primary key, "user_id" int not null, "key" varchar(255) not null, "request_hash" varchar(64) not null, "response_status" int null, "response_body" jsonb null, "created_at" timestamp not null default current_timestamp, "completed_at" timestamp null);`);
    this.addSql(`alter table "idempotency_keys" add constraint "idempotency_keys_user_id_key_unique" unique ("user_id", "key");`);

    this.addSql(`create table "retell_webhook_events" ("id" serial primary key, "event" varchar(50) not null, "retell_call_id" varchar(100) null, "dedupe_key" varchar(200) not null, "payload" jsonb not null, "outcome" varchar(20) not null, "received_at" timestamp not null default current_timestamp);`);
    this.addSql(`create index "retell_webhook_events_retell_call_id_index" on "retell_webhook_events" ("retell_call_id");`);
    this.addSql(`alter table "retell_webhook_events" add constraint "retell_webhook_events_dedupe_key_unique" unique ("dedupe_key");`);

    this.addSql(`alter table "phone_numbers" add "nickname" varchar(100) null, add "number_type" varchar(20) not null;`);

    this.addSql(`alter table "calls" add "user_id" int not null, add "call_type" varchar(20) not null default 'phone_call', add "disconnection_reason" varchar(64) null, add "transcript" text null, add "transcript_object" jsonb null, add "recording_url" text null, add "public_log_url" text null, add "call_analysis" jsonb null, add "call_cost" jsonb null, add "metadata" jsonb null, add "dynamic_variables" jsonb null;`);
    this.addSql(`alter table "calls" add constraint "calls_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);
    this.addSql(`alter table "calls" alter column "from_number" drop not null;`);
    this.addSql(`alter table "calls" alter column "to_number" drop not null;`);
    this.addSql(`create index "calls_user_id_created_at_id_index" on "calls" ("user_id", "created_at", "id");`);

    this.addSql(`alter table "idempotency_keys" add constraint "idempotency_keys_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "idempotency_keys" cascade;`);
    this.addSql(`drop table if exists "retell_webhook_events" cascade;`);

    this.addSql(`alter table "calls" drop constraint "calls_user_id_foreign";`);

    this.addSql(`drop index "calls_user_id_created_at_id_index";`);
    this.addSql(`alter table "calls" drop column "user_id", drop column "call_type", drop column "disconnection_reason", drop column "transcript", drop column "transcript_object", drop column "recording_url", drop column "public_log_url", drop column "call_analysis", drop column "call_cost", drop column "metadata", drop column "dynamic_variables";`);
    this.addSql(`alter table "calls" alter column "from_number" set not null;`);
    this.addSql(`alter table "calls" alter column "to_number" set not null;`);

    this.addSql(`alter table "phone_numbers" drop column "nickname", drop column "number_type";`);
  }

}
