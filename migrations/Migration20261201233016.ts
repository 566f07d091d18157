import { Migration } from '@mikro-orm/migrations';

export class Migration20261201233016 extends Migration {

  override name = 'Migration20261201233016';

  override up(): void | Promise<void> {
    this.addSql(`create table "edit_leases" ("resource" varchar(100) not null, "token" uuid not null, "expires_at" timestamptz not null, primary key ("resource"));`);

    this.addSql(`create table "rate_limits" ("key" varchar(100) not null, "tokens" double precision not null, "updated_at" timestamptz not null, primary key ("key"));`);

    this.addSql(`alter table "retell_webhook_events" add "anomalies" jsonb null, add "raw_body" bytea null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "edit_leases" cascade;`);
    this.addSql(`drop table if exists "rate_limits" cascade;`);

    this.addSql(`alter table "retell_webhook_events" drop column "anomalies", drop column "raw_body";`);
  }

}
