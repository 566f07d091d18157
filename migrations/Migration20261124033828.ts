import { Migration } from '@mikro-orm/migrations';

export class Migration20261124033828 extends Migration {

  override name = 'Migration20261124033828';

  override up(): void | Promise<void> {
    this.addSql(`create table "users" ("id" serial primary key, "created_at" timestamp not null default current_timestamp, "updated_at" timestamp not null default current_timestamp, "username" varchar(50) not null, "email" varchar(100) not null, "password_hash" varchar(255) not null, "first_name" varchar(50) null, "last_name" varchar(50) null, "is_active" boolean not null default true);`);
    this.addSql(`alter table "users" add constraint "users_username_unique" unique ("username");`);
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);

    this.addSql(`create table "refresh_tokens" ("id" serial primary key, "user_id" int not null, "family" uuid not null, "token_hash" varchar(64) not null, "expires_at" timestamp not null, "used_at" timestamp null, "revoked_at" timestamp null, "created_at" timestamp not null default current_timestamp);`);
    this.addSql(`create index "refresh_tokens_user_id_index" on "refresh_tokens" ("user_id");`);
    this.addSql(`create index "refresh_tokens_family_index" on "refresh_tokens" ("family");`);
    this.addSql(`alter table "refresh_tokens" add constraint "refresh_tokens_token_hash_unique" unique ("token_hash");`);

    this.addSql(`create table "api_keys" ("id" serial primary key, "user_id" int not null, "key_name" varchar(50) not null, "api_key" varchar(100) not null, "key_prefix" varchar(20) not null, "last_four" varchar(4) not null, "is_active" boolean not null default true, "created_at" timestamp not null default current_timestamp, "last_used_at" timestamp null, "expires_at" timestamp null);`);
    this.addSql(`create index "api_keys_user_id_index" on "api_keys" ("user_id");`);
    this.addSql(`alter table "api_keys" add constraint "api_keys_api_key_unique" unique ("api_key");`);

    this.addSql(`create table "agents" ("id" serial primary key, "created_at" timestamp not null default current_timestamp, "updated_at" timestamp not null default current_timestamp, "user_id" int not null, "name" varchar(100) not null, "description" text null, "retell_agent_id" varchar(100) not null, "voice_id" varchar(50) not null, "is_active" boolean not null default true);`);
    this.addSql(`create index "agents_user_id_index" on "agents" ("user_id");`);
    this.addSql(`alter table "agents" add constraint "agents_retell_agent_id_unique" unique ("retell_agent_id");`);

    this.addSql(`create table "phone_numbers" ("id" serial primary key, "created_at" timestamp not null default current_timestamp, "updated_at" timestamp not null default current_timestamp, "agent_id" int not null, "phone_number" varchar(20) not null, "is_active" boolean not null default true);`);
    this.addSql(`create index "phone_numbers_agent_id_index" on "phone_numbers" ("agent_id");`);
    this.addSql(`alter table "phone_numbers" add constraint "phone_numbers_phone_number_unique" unique ("phone_number");`);

    this.addSql(`create table "llm_configurations" ("id" serial primary key, "created_at" timestamp not null default current_timestamp, "updated_at" timestamp not null default current_timestamp, "agent_id" int not null, "retell_llm_id" varchar(100) not null, "model" varchar(50) not null, "s2s_model" varchar(50) null, "temperature" double precision not null default 0, "high_priority" boolean not null default false, "general_prompt" text null);`);
    this.addSql(`alter table "llm_configurations" add constraint "llm_configurations_agent_id_unique" unique ("agent_id");`);
    this.addSql(`alter table "llm_configurations" add constraint "llm_configurations_retell_llm_id_unique" unique ("retell_llm_id");`);

    this.addSql(`create table "calls" ("id" serial primary key, "created_at" timestamp not null default current_timestamp, "updated_at" timestamp not null default current_timestamp, "agent_id" int not null, "retell_call_id" varchar(100) not null, "from_number" varchar(20) not null, "to_number" varchar(20) not null, "direction" varchar(20) not null, "status" varchar(20) not null, "duration" int null, "started_at" timestamp null, "ended_at" timestamp null);`);
    this.addSql(`create index "calls_agent_id_index" on "calls" ("agent_id");`);
    this.addSql(`alter table "calls" add constraint "calls_retell_call_id_unique" unique ("retell_call_id");`);

    this.addSql(`create table "agent_tools" ("id" serial primary key, "created_at" timestamp not null default current_timestamp, "updated_at" timestamp not null default current_timestamp, "agent_id" int not null, "tool_type" varchar(50) not null, "tool_config" jsonb not null);`);
    this.addSql(`create index "agent_tools_agent_id_index" on "agent_tools" ("agent_id");`);

    this.addSql(`alter table "refresh_tokens" add constraint "refresh_tokens_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);

    this.addSql(`alter table "api_keys" add constraint "api_keys_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);

    this.addSql(`alter table "agents" add constraint "agents_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);

    this.addSql(`alter table "phone_numbers" add constraint "phone_numbers_agent_id_foreign" foreign key ("agent_id") references "agents" ("id") on delete cascade;`);

    this.addSql(`alter table "llm_configurations" add constraint "llm_configurations_agent_id_foreign" foreign key ("agent_id") references "agents" ("id") on delete cascade;`);

    this.addSql(`alter table "calls" add constraint "calls_agent_id_foreign" foreign key ("agent_id") references "agents" ("id") on delete cascade;`);

    this.addSql(`alter table "agent_tools" add constraint "agent_tools_agent_id_foreign" foreign key ("agent_id") references "agents" ("id") on delete cascade;`);

    // `updated_at` moves on every UPDATE, including bulk and raw ones the ORM's onUpdate hook never sees.
    this.addSql(`create or replace function "set_updated_at"() returns trigger language plpgsql as $$ begin new."updated_at" = current_timestamp; return new; end; $$;`);
    for (const table of ['users', 'agents', 'llm_configurations', 'phone_numbers', 'calls', 'agent_tools']) {
      this.addSql(`create trigger "${table}_set_updated_at" before update on "${table}" for each row execute function "set_updated_at"();`);
    }
  }

  override down(): void | Promise<void> {
    for (const table of ['agent_tools', 'calls', 'llm_configurations', 'phone_numbers', 'agents', 'api_keys', 'refresh_tokens', 'users']) {
      this.addSql(`drop table if exists "${table}" cascade;`);
    }
    this.addSql(`drop function if exists "set_updated_at"();`);
  }

}
