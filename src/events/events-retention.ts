import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { jobsConfig } from '../config/jobs.config.js';
import { JobsService } from '../jobs/jobs.service.js';
import { EVENTS_RETENTION_QUEUE } from '../jobs/queues.js';

/** Rows per statement: short statements, so the relay and the delivery loop never wait long behind one. */
const BATCH = 5000;
/** One run stops after this long; the next hour's run goes on where it stopped. */
const BUDGET_MS = 60_000;

/**
 * Prunes the event log: events older than EVENTS_RETENTION_DAYS go, with their deliveries (the foreign key
 * cascades) — but never an event still to be dispatched or with a delivery still pending (a retry can outlive the
 * retention only with a custom schedule, and it is kept until it ends). A job on the engine, sent hourly by one of
 * the worker instances; idempotent (a second run finds nothing older).
 */
@Injectable()
export class EventsRetention {
  private readonly logger = new Logger('EventsRetention');

  constructor(
    private readonly jobs: JobsService,
    @Inject(jobsConfig.KEY) private readonly config: ConfigType<typeof jobsConfig>,
  ) {
    jobs.registerWorker(
      EVENTS_RETENTION_QUEUE,
      { policy: 'singleton', retryLimit: 3, retryDelay: 60, expireInSeconds: 600, deleteAfterSeconds: 7 * 86_400 },
      { batchSize: 1, pollingIntervalSeconds: 60 },
      async () => {
        const deleted = await this.prune();
        if (deleted > 0) this.logger.log({ msg: 'old events pruned', events: deleted, retentionDays: config.eventsRetentionDays });
      },
    );
    jobs.registerSchedule(EVENTS_RETENTION_QUEUE, '17 * * * *');
  }

  /** Deletes old events (and their deliveries) in batches; returns how many events went. */
  async prune(): Promise<number> {
    const started = Date.now();
    let total = 0;
    for (;;) {
      const [{ deleted }] = await this.jobs.query<{ deleted: number }>(PRUNE_SQL, [this.config.eventsRetentionDays, BATCH]);
      total += deleted;
      if (deleted < BATCH || Date.now() - started > BUDGET_MS) return total;
    }
  }
}

/** Oldest first by id (ids grow with time), so the scan starts where the old rows are and needs no new index. */
const PRUNE_SQL = `
with gone as (
  delete from events where id in (
    select e.id from events e
     where e.created_at < now() - make_interval(days => $1::int) and e.dispatched_at is not null
       and not exists (select 1 from webhook_deliveries d where d.event_id = e.id and d.status = 'pending')
     order by e.id
     limit $2)
  returning 1)
select count(*)::int as deleted from gone`;
