import { Migration } from '@mikro-orm/migrations';

/**
 * One AFTER trigger on `calls` instead of two (`calls_record_events`, 20261201231527, and `calls_analytics_rollup`,
 * 20261201235302), doing both jobs in ONE nested statement per changed row: the call events (a data-modifying CTE)
 * and the rollup change (one upsert of the old contribution subtracted and the new one added, per bucket). The two
 * triggers ran ~8 nested statements per webhook merge (each SQL function call, each PERFORM and each insert is one
 * for pg_stat_statements with track = all). Behaviour is the same:
 * - events: call.started / call.ended / call.analyzed each at most once per call (dedupe key), only when the row
 *   really moved forward (OLD vs NEW, the status order of src/calls/call-merge.ts), in that order;
 * - rollups: the row's old contribution out, the new one in, so each call counts once however its events arrive. The
 *   two are summed per bucket first (a call that stays in its bucket is one row, with its difference; no change is
 *   no row), and the buckets are written in key order, so two calls moving between the same two buckets cannot
 *   deadlock.
 * `call_rollup_contribution` becomes a set-returning SQL function (one row) so PostgreSQL inlines it into the
 * statement instead of running it as a statement of its own; it stays the one definition of a call's contribution.
 */
export class Migration20261202021038 extends Migration {

  override name = 'Migration20261202021038';

  override up(): void | Promise<void> {
    this.addSql(`drop trigger if exists "calls_record_events" on "calls";`);
    this.addSql(`drop trigger if exists "calls_analytics_rollup" on "calls";`);
    this.addSql(`drop function if exists "calls_record_events"();`);
    this.addSql(`drop function if exists "calls_analytics_rollup"();`);
    this.addSql(`drop function if exists "call_rollup_add"("call_rollups", int);`);
    this.addSql(`drop function if exists "call_rollup_contribution"("calls");`);
    this.addSql(`create function "call_rollup_contribution"(c "calls") returns setof "call_rollups" language sql stable as $$
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
    const rank = (row: string) =>
      `(case ${row}.status when 'ongoing' then 1 when 'ended' then 2 when 'not_connected' then 2 when 'error' then 2 else 0 end)`;
    const measures = [
      'calls', 'connected_calls', 'duration_calls', 'duration_seconds', 'successful_calls', 'unsuccessful_calls',
      'sentiment_positive', 'sentiment_negative', 'sentiment_neutral', 'sentiment_unknown', 'combined_cost',
    ];
    const key = 'd."user_id", d."bucket", d."agent_id", d."disconnection_reason"';
    this.addSql(`create function "calls_events_and_rollups"() returns trigger language plpgsql as $$
declare
  old_rank int := -1;
  new_rank int := -1;
  fire_started boolean := false;
  fire_ended boolean := false;
  fire_analyzed boolean := false;
begin
  if tg_op <> 'INSERT' then old_rank := ${rank('old')}; end if;
  if tg_op <> 'DELETE' then
    new_rank := ${rank('new')};
    fire_started := new_rank >= 1 and old_rank < 1 and (new_rank = 1 or new.started_at is not null);
    fire_ended := new_rank = 2 and old_rank < 2;
    fire_analyzed := new.call_analysis is not null and (tg_op = 'INSERT' or old.call_analysis is null);
  end if;
  with ev as (
    insert into events (user_id, agent_id, type, snapshot, dedupe_key)
    select new.user_id, new.agent_id, e.type, to_jsonb(new), 'call:' || new.id || ':' || e.type
      from (values ('call.started', fire_started), ('call.ended', fire_ended), ('call.analyzed', fire_analyzed)) as e(type, fire)
     where e.fire
    on conflict (dedupe_key) do nothing)
  insert into "call_rollups" as r
  select ${key}, ${measures.map((m) => `sum(d.s * d."${m}")`).join(', ')}
    from (select -1 as s, o.* from "call_rollup_contribution"(old) o where tg_op <> 'INSERT'
          union all
          select 1 as s, n.* from "call_rollup_contribution"(new) n where tg_op <> 'DELETE') d
   group by ${key}
  having ${measures.map((m) => `sum(d.s * d."${m}") <> 0`).join(' or ')}
   order by ${key}
  on conflict ("user_id", "bucket", "agent_id", "disconnection_reason") do update set
    ${measures.map((m) => `"${m}" = r."${m}" + excluded."${m}"`).join(', ')};
  return null;
end $$;`);
    this.addSql(`create trigger "calls_events_and_rollups" after insert or update or delete on "calls" for each row execute function "calls_events_and_rollups"();`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger if exists "calls_events_and_rollups" on "calls";`);
    this.addSql(`drop function if exists "calls_events_and_rollups"();`);
    this.addSql(`drop function if exists "call_rollup_contribution"("calls");`);
    // The two triggers and their functions exactly as 20261201231527 and 20261201235302 created them.
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
  }

}
