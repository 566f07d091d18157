import { Migration } from '@mikro-orm/migrations';

export class Migration20261202021238 extends Migration {

  override name = 'Migration20261202021238';

  override up(): void | Promise<void> {
    this.addSql(`create table "inbound_routings" ("id" serial primary key, "created_at" timestamp not null default current_timestamp, "updated_at" timestamp not null default current_timestamp, "phone_number_id" int not null, "user_id" int not null, "timezone" varchar(64) not null, "hours" jsonb not null, "after_hours_action" varchar(10) not null, "after_hours_agent_id" int null, "lookup_contacts" boolean not null default true, "webhook_url" varchar(2048) null, "webhook_timeout_ms" int not null default 1500, "webhook_secret" text null);`);
    this.addSql(`alter table "inbound_routings" add constraint "inbound_routings_phone_number_id_unique" unique ("phone_number_id");`);
    this.addSql(`create index "inbound_routings_user_id_index" on "inbound_routings" ("user_id");`);
    this.addSql(`create index "inbound_routings_after_hours_agent_id_index" on "inbound_routings" ("after_hours_agent_id");`);

    this.addSql(`alter table "inbound_routings" add constraint "inbound_routings_phone_number_id_foreign" foreign key ("phone_number_id") references "phone_numbers" ("id") on delete cascade;`);
    this.addSql(`alter table "inbound_routings" add constraint "inbound_routings_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);
    this.addSql(`alter table "inbound_routings" add constraint "inbound_routings_after_hours_agent_id_foreign" foreign key ("after_hours_agent_id") references "agents" ("id") on delete set null;`);

    this.addSql(`create trigger "inbound_routings_set_updated_at" before update on "inbound_routings" for each row execute function "set_updated_at"();`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "inbound_routings" cascade;`);
  }

}
