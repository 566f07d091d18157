import { Migration } from '@mikro-orm/migrations';

export class Migration20261201235302 extends Migration {

  override name = 'Migration20261201235302';

  override up(): void | Promise<void> {
    this.addSql(`create table "call_rollups" ("user_id" int not null, "bucket" timestamp not null, "agent_id" int not null, "disconnection_reason" varchar(64) not null, "calls" int not null, "connected_calls" int not null, "duration_calls" int not null, "duration_seconds" bigint not null, "successful_calls" int not null, "unsuccessful_calls" int not null, "sentiment_positive" int not null, "sentiment_negative" int not null, "sentiment_neutral" int not null, "sentiment_unknown" int not null, "combined_cost" numeric not null, primary key ("user_id", "bucket", "agent_id", "disconnection_reason"));`);

    this.addSql(`create table "contacts" ("id" serial primary key, "created_at" timestamp not null default current_timestamp, "updated_at" timestamp not null default current_timestamp, "user_id" int not null, "phone_number" varchar(20) not null, "name" varchar(200) null, "email" varchar(254) null, "timezone" varchar(64) null, "dynamic_variables" jsonb null, "do_not_call" boolean not null default false, "blocked" boolean not null default false, "notes" text null);`);
    this.addSql(`create index "contacts_user_id_created_at_id_index" on "contacts" ("user_id", "created_at", "id");`);
    this.addSql(`alter table "contacts" add constraint "contacts_user_id_phone_number_unique" unique ("user_id", "phone_number");`);

    this.addSql(`alter table "agents" add "post_call_analysis" jsonb null;`);

    this.addSql(`alter table "calls" add "contact_id" int null;`);
    this.addSql(`alter table "calls" add constraint "calls_contact_id_foreign" foreign key ("contact_id") references "contacts" ("id") on delete set null;`);
    this.addSql(`create index "calls_contact_id_index" on "calls" ("contact_id");`);

    this.addSql(`alter table "contacts" add constraint "contacts_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);

    this.addSql(`create trigger "contacts_set_updated_at" before update on "contacts" for each row execute function "set_updated_at"();`);

    // Analytics rollups, kept by a trigger on calls (see src/analytics/call-rollup.entity.ts and docs/schema.md).
    // A call's contribution: one call in its quarter hour, under its agent and disconnection reason. Values our
    // casts cannot take (a combined_cost that is not a JSON number, a call_successful that is not a boolean) count
    // as absent, so no Retell content can make the call's merge fail here.
    this.addSql(`create function "call_rollup_contribution"(c "calls") returns "call_rollups" language sql stable as $$
      select c.user_id, date_bin('15 minutes', coalesce(c.started_at, c.created_at), timestamp '2000-01-01'), c.agent_id,
             coalesce(c.disconnection_reason, ''), 1, (c.status in ('ongoing', 'ended'))::int, (c.duration is not null)::int,
             coalesce(c.duration, 0)::bigint,
             coalesce(c.call_analysis -> 'call_successful' = 'true'::jsonb, false)::int,
             coalesce(c.call_analysis -> 'call_successful' = 'false'::jsonb, false)::int,
             coalesce(c.call_analysis ->> 'user_sentiment' = 'Positive', false)::int,
             coalesce(c.call_analysis ->> 'user_sentiment' = 'Negative', false)::int,
             coalesce(c.call_analysis ->> 'user_sentiment' = 'Neutral', false)::int,
             coalesce(c.call_analysis ->> 'user_sentiment' not in ('Positive', 'Negative', 'Neutral'), false)::int,
             case when jsonb_typeof(c.call_cost -> 'combined_cost') = 'number' then (c.call_cost ->> 'combined_cost')::numeric else 0 end
    $$;`);
    this.addSql(`create function "call_rollup_add"(r "call_rollups", s int) returns void language sql as $$
      insert into "call_rollups" values (r."user_id", r."bucket", r."agent_id", r."disconnection_reason", s * r."calls", s * r."connected_calls", s * r."duration_calls", s * r."duration_seconds", s * r."successful_calls", s * r."unsuccessful_calls", s * r."sentiment_positive", s * r."sentiment_negative", s * r."sentiment_neutral", s * r."sentiment_unknown", s * r."combined_cost")
      on conflict ("user_id", "bucket", "agent_id", "disconnection_reason") do update set "calls" = "call_rollups"."calls" + excluded."calls", "connected_calls" = "call_rollups"."connected_calls" + excluded."connected_calls", "duration_calls" = "call_rollups"."duration_calls" + excluded."duration_calls", "duration_seconds" = "call_rollups"."duration_seconds" + excluded."duration_seconds", "successful_calls" = "call_rollups"."successful_calls" + excluded."successful_calls", "unsuccessful_calls" = "call_rollups"."unsuccessful_calls" + excluded."unsuccessful_calls", "sentiment_positive" = "call_rollups"."sentiment_positive" + excluded."sentiment_positive", "sentiment_negative" = "call_rollups"."sentiment_negative" + excluded."sentiment_negative", "sentiment_neutral" = "call_rollups"."sentiment_neutral" + excluded."sentiment_neutral", "sentiment_unknown" = "call_rollups"."sentiment_unknown" + excluded."sentiment_unknown", "combined_cost" = "call_rollups"."combined_cost" + excluded."combined_cost"
    $$;`);
    // Old contribution out, new one in: whatever order and however often events arrive, the rollups hold the sum of
    // the calls as they are. Two rows are touched in key order, so two calls moving between the same two buckets
    // cannot deadlock.
    this.addSql(`create function "calls_analytics_rollup"() returns trigger language plpgsql as $$
      declare o "call_rollups"; n "call_rollups";
      begin
        if tg_op <> 'INSERT' then o := "call_rollup_contribution"(old); end if;
        if tg_op <> 'DELETE' then n := "call_rollup_contribution"(new); end if;
        if tg_op = 'UPDATE' and o is not distinct from n then return null; end if;
        if n is null or (o is not null and (o."user_id", o."bucket", o."agent_id", o."disconnection_reason") <= (n."user_id", n."bucket", n."agent_id", n."disconnection_reason")) then
          if o is not null then perform "call_rollup_add"(o, -1); end if;
          if n is not null then perform "call_rollup_add"(n, 1); end if;
        else
          perform "call_rollup_add"(n, 1);
          if o is not null then perform "call_rollup_add"(o, -1); end if;
        end if;
        return null;
      end $$;`);
    this.addSql(`create trigger "calls_analytics_rollup" after insert or update or delete on "calls" for each row execute function "calls_analytics_rollup"();`);
    this.addSql(`insert into "call_rollups"
      select r."user_id", r."bucket", r."agent_id", r."disconnection_reason", sum(r."calls"), sum(r."connected_calls"), sum(r."duration_calls"), sum(r."duration_seconds"), sum(r."successful_calls"), sum(r."unsuccessful_calls"), sum(r."sentiment_positive"), sum(r."sentiment_negative"), sum(r."sentiment_neutral"), sum(r."sentiment_unknown"), sum(r."combined_cost")
        from "calls" c, lateral (select ("call_rollup_contribution"(c)).*) r
       group by 1, 2, 3, 4;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger if exists "calls_analytics_rollup" on "calls";`);
    this.addSql(`drop function if exists "calls_analytics_rollup"();`);
    this.addSql(`drop function if exists "call_rollup_add"("call_rollups", int);`);
    this.addSql(`drop function if exists "call_rollup_contribution"("calls");`);
    this.addSql(`alter table "calls" drop constraint "calls_contact_id_foreign";`);

    this.addSql(`drop table if exists "call_rollups" cascade;`);
    this.addSql(`drop table if exists "contacts" cascade;`);

    this.addSql(`alter table "agents" drop column "post_call_analysis";`);

    this.addSql(`drop index "calls_contact_id_index";`);
    this.addSql(`alter table "calls" drop column "contact_id";`);
  }

}
