import { Migration } from '@mikro-orm/migrations';

export class Migration20261201231527 extends Migration {

  override name = 'Migration20261201231527';

  override up(): void | Promise<void> {
    this.addSql(`create table "events" ("id" serial primary key, "user_id" int not null, "type" varchar(50) not null, "agent_id" int null, "endpoint_id" int null, "data" jsonb null, "snapshot" jsonb null, "dedupe_key" varchar(200) null, "dispatched_at" timestamp null, "created_at" timestamp not null default current_timestamp);`);
    this.addSql(`alter table "events" add constraint "events_dedupe_key_unique" unique ("dedupe_key");`);
    this.addSql(`create index "events_undispatched_index" on "events" ("id") where "dispatched_at" is null;`);
    this.addSql(`create index "events_user_id_id_index" on "events" ("user_id", "id");`);

    this.addSql(`create table "webhook_endpoints" ("id" serial primary key, "created_at" timestamp not null default current_timestamp, "updated_at" timestamp not null default current_timestamp, "user_id" int not null, "url" text not null, "description" varchar(500) null, "event_types" jsonb null, "agent_ids" jsonb null, "is_active" boolean not null default true, "secret_ciphertext" text not null, "previous_secret_ciphertext" text null, "previous_secret_expires_at" timestamp null, "failing_since" timestamp null, "disabled_reason" varchar(500) null);`);
    this.addSql(`create index "webhook_endpoints_user_id_id_index" on "webhook_endpoints" ("user_id", "id");`);

    this.addSql(`create table "webhook_deliveries" ("id" serial primary key, "created_at" timestamp not null default current_timestamp, "updated_at" timestamp not null default current_timestamp, "endpoint_id" int not null, "event_id" int not null, "user_id" int not null, "status" varchar(20) not null default 'pending', "attempts" int not null default 0, "last_status_code" int null, "last_error" varchar(500) null, "last_duration_ms" int null, "last_attempt_at" timestamp null, "next_attempt_at" timestamp null, "claimed_until" timestamp null, "claim_token" uuid null);`);
    this.addSql(`create index "webhook_deliveries_event_id_index" on "webhook_deliveries" ("event_id");`);
    this.addSql(`create index "webhook_deliveries_user_id_index" on "webhook_deliveries" ("user_id");`);
    this.addSql(`create index "webhook_deliveries_endpoint_id_id_index" on "webhook_deliveries" ("endpoint_id", "id");`);
    this.addSql(`alter table "webhook_deliveries" add constraint "webhook_deliveries_endpoint_id_event_id_unique" unique ("endpoint_id", "event_id");`);

    this.addSql(`alter table "events" add constraint "events_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);

    this.addSql(`alter table "webhook_endpoints" add constraint "webhook_endpoints_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);

    this.addSql(`alter table "webhook_deliveries" add constraint "webhook_deliveries_endpoint_id_foreign" foreign key ("endpoint_id") references "webhook_endpoints" ("id") on delete cascade;`);
    this.addSql(`alter table "webhook_deliveries" add constraint "webhook_deliveries_event_id_foreign" foreign key ("event_id") references "events" ("id") on delete cascade;`);
    this.addSql(`alter table "webhook_deliveries" add constraint "webhook_deliveries_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);

    // Call events, written in the same statement as the change (every path — webhook ingest, refresh, create —
    // writes `calls`, so none can skip it). Each fires only when the call really moved forward (OLD vs NEW): the
    // status first reaching ongoing (or a terminal status with a start time, when call_started came late or never),
    // first reaching a terminal status, call_analysis first set. The dedupe key makes each at most once per call, even
    // under concurrent merges. The status order is the one in src/calls/call-merge.ts (registered < ongoing < ended,
    // not_connected, error). `snapshot` is the row as of the change; the relay maps it to GET /calls/:id.
    this.addSql(`create function calls_record_events() returns trigger language plpgsql as $$
declare
  old_rank int := case when tg_op = 'INSERT' then -1
                       else (case old.status when 'ongoing' then 1 when 'ended' then 2 when 'not_connected' then 2 when 'error' then 2 else 0 end) end;
  new_rank int := (case new.status when 'ongoing' then 1 when 'ended' then 2 when 'not_connected' then 2 when 'error' then 2 else 0 end);
  row_json jsonb := to_jsonb(new);
begin
  if new_rank >= 1 and old_rank < 1 and (new_rank = 1 or new.started_at is not null) then
    insert into events (user_id, agent_id, type, snapshot, dedupe_key)
    values (new.user_id, new.agent_id, 'call.started', row_json, 'call:' || new.id || ':call.started')
    on conflict (dedupe_key) do nothing;
  end if;
  if new_rank = 2 and old_rank < 2 then
    insert into events (user_id, agent_id, type, snapshot, dedupe_key)
    values (new.user_id, new.agent_id, 'call.ended', row_json, 'call:' || new.id || ':call.ended')
    on conflict (dedupe_key) do nothing;
  end if;
  if new.call_analysis is not null and (tg_op = 'INSERT' or old.call_analysis is null) then
    insert into events (user_id, agent_id, type, snapshot, dedupe_key)
    values (new.user_id, new.agent_id, 'call.analyzed', row_json, 'call:' || new.id || ':call.analyzed')
    on conflict (dedupe_key) do nothing;
  end if;
  return null;
end $$;`);
    this.addSql(`create trigger calls_record_events after insert or update on "calls" for each row execute function calls_record_events();`);
    for (const table of ['webhook_endpoints', 'webhook_deliveries']) {
      this.addSql(`create trigger "${table}_set_updated_at" before update on "${table}" for each row execute function "set_updated_at"();`);
    }
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger if exists calls_record_events on "calls";`);
    this.addSql(`drop function if exists calls_record_events();`);
    this.addSql(`alter table "webhook_deliveries" drop constraint "webhook_deliveries_event_id_foreign";`);
    this.addSql(`alter table "webhook_deliveries" drop constraint "webhook_deliveries_endpoint_id_foreign";`);

    this.addSql(`drop table if exists "events" cascade;`);
    this.addSql(`drop table if exists "webhook_endpoints" cascade;`);
    this.addSql(`drop table if exists "webhook_deliveries" cascade;`);
  }

}
