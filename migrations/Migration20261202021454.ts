import { Migration } from '@mikro-orm/migrations';

/**
 * Webhook delivery without a job per delivery (src/webhook-endpoints/webhook-delivery.worker.ts): the delivery rows
 * are claimed straight from a partial index of due work, and an insert into `events` wakes the outbox relay on
 * every worker instance (one NOTIFY per statement; notifications of one transaction are folded into one at commit).
 */
export class Migration20261202021454 extends Migration {
  override name = 'Migration20261202021454';

  override up(): void | Promise<void> {
    this.addSql(`create index "webhook_deliveries_due_index" on "webhook_deliveries" ("next_attempt_at", "id") where "status" = 'pending';`);
    // Room on each page for the claim's update to stay on the page (a HOT update: no new entry in any index); the
    // claim changes no indexed column.
    this.addSql(`alter table "webhook_deliveries" set (fillfactor = 80);`);
    this.addSql(`create function "events_notify_inserted"() returns trigger language plpgsql as $$
      begin
        perform pg_notify('events_inserted', '');
        return null;
      end
    $$;`);
    this.addSql(`create trigger "events_notify_inserted" after insert on "events" for each statement execute function "events_notify_inserted"();`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger if exists "events_notify_inserted" on "events";`);
    this.addSql(`drop function if exists "events_notify_inserted"();`);
    this.addSql(`alter table "webhook_deliveries" reset (fillfactor);`);
    this.addSql(`drop index if exists "webhook_deliveries_due_index";`);
  }
}
