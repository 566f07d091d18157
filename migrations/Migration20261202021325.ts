import { Migration } from '@mikro-orm/migrations';

export class Migration20261202021325 extends Migration {

  override name = 'Migration20261202021325';

  override up(): void | Promise<void> {
    this.addSql(`create table "campaigns" ("id" serial primary key, "created_at" timestamp not null default current_timestamp, "updated_at" timestamp not null default current_timestamp, "user_id" int not null, "agent_id" int not null, "name" varchar(200) not null, "from_number" varchar(20) null, "status" varchar(20) not null default 'draft', "pause_reason" varchar(20) null, "schedule" jsonb not null, "max_concurrency" int null, "retry" jsonb not null, "dynamic_variables" jsonb null, "target_count" int not null default 0, "started_at" timestamp null, "completed_at" timestamp null, "last_dialled_at" timestamp null);`);
    this.addSql(`create index "campaigns_agent_id_index" on "campaigns" ("agent_id");`);
    this.addSql(`create index "campaigns_active_index" on "campaigns" ("status") where "status" in ('scheduled', 'running');`);
    this.addSql(`create index "campaigns_user_id_created_at_id_index" on "campaigns" ("user_id", "created_at", "id");`);

    this.addSql(`create table "campaign_targets" ("id" serial primary key, "campaign_id" int not null, "user_id" int not null, "contact_id" int null, "phone_number" varchar(20) not null, "status" varchar(20) not null default 'pending', "outcome" varchar(20) null, "attempts" int not null default 0, "next_attempt_at" timestamp null, "attempt_key" varchar(64) null, "slot_id" int null, "lease_until" timestamp null, "call_id" int null, "history" jsonb not null default '[]', "created_at" timestamp not null default current_timestamp, "updated_at" timestamp not null default current_timestamp);`);
    this.addSql(`create index "campaign_targets_user_id_index" on "campaign_targets" ("user_id");`);
    this.addSql(`create index "campaign_targets_contact_id_index" on "campaign_targets" ("contact_id");`);
    this.addSql(`create index "campaign_targets_dialling_index" on "campaign_targets" ("lease_until", "id") where "status" = 'dialling';`);
    this.addSql(`create index "campaign_targets_due_index" on "campaign_targets" ("campaign_id", "next_attempt_at", "id") where "status" = 'pending';`);
    this.addSql(`create index "campaign_targets_campaign_id_id_index" on "campaign_targets" ("campaign_id", "id");`);
    this.addSql(`alter table "campaign_targets" add constraint "campaign_targets_campaign_id_contact_id_unique" unique ("campaign_id", "contact_id");`);

    this.addSql(`alter table "campaigns" add constraint "campaigns_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);
    this.addSql(`alter table "campaigns" add constraint "campaigns_agent_id_foreign" foreign key ("agent_id") references "agents" ("id") on delete cascade;`);

    this.addSql(`alter table "campaign_targets" add constraint "campaign_targets_campaign_id_foreign" foreign key ("campaign_id") references "campaigns" ("id") on delete cascade;`);
    this.addSql(`alter table "campaign_targets" add constraint "campaign_targets_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);
    this.addSql(`alter table "campaign_targets" add constraint "campaign_targets_contact_id_foreign" foreign key ("contact_id") references "contacts" ("id") on delete set null;`);

    this.addSql(`create trigger "campaigns_set_updated_at" before update on "campaigns" for each row execute function "set_updated_at"();`);
    this.addSql(`create trigger "campaign_targets_set_updated_at" before update on "campaign_targets" for each row execute function "set_updated_at"();`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "campaign_targets" drop constraint "campaign_targets_campaign_id_foreign";`);

    this.addSql(`drop table if exists "campaigns" cascade;`);
    this.addSql(`drop table if exists "campaign_targets" cascade;`);
  }

}
