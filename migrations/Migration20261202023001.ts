import { Migration } from '@mikro-orm/migrations';

/** Issue 15: dial slots, the call concurrency shared by every instance (see src/common/limits/dial-slots.ts). */
export class Migration20261202023001 extends Migration {

  override name = 'Migration20261202023001';

  override up(): void | Promise<void> {
    this.addSql(`create table "dial_slots" ("id" serial primary key, "user_id" int not null, "campaign_id" int null, "call_id" int null, "created_at" timestamptz not null default now(), "expires_at" timestamptz not null);`);
    this.addSql(`create index "dial_slots_user_id_index" on "dial_slots" ("user_id");`);
    this.addSql(`create index "dial_slots_call_id_index" on "dial_slots" ("call_id");`);
    this.addSql(`alter table "dial_slots" add constraint "dial_slots_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);
    this.addSql(`alter table "dial_slots" add constraint "dial_slots_call_id_foreign" foreign key ("call_id") references "calls" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "dial_slots" cascade;`);
  }

}
