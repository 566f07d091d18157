import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Db } from 'pg-boss';
import { jobsConfig } from '../config/jobs.config.js';
import { callEventData } from '../events/event-data.js';
import { JobsService, type BackgroundLoop } from './jobs.service.js';
import { PassLoop } from './pass-loop.js';

const BATCH = 500;
/**
 * Passes start at least this far apart, unless the last one was full: under a stream of events (a notification per
 * webhook) one pass takes the events of many webhooks — four statements for the batch instead of four per event —
 * for at most this much added latency.
 */
const MIN_PASS_GAP_MS = 25;

/** Sent by a statement-level trigger on `events` when rows are inserted (migration Migration20261202021454). */
export const EVENTS_INSERTED_CHANNEL = 'events_inserted';

/**
 * The outbox relay: turns each undispatched event into one delivery row per matching endpoint, and marks the event
 * dispatched — all in ONE transaction on the job engine's pool. It runs when an insert into `events` commits on any
 * instance (LISTEN/NOTIFY), and every `EVENTS_RELAY_INTERVAL_MS` in case a notification was missed. Events are claimed with
 * `for update skip locked`, so relays on several instances share the work without taking the same event, and a crash
 * anywhere before the commit leaves the event undispatched for the next pass (no delivery is lost; the unique
 * (endpoint, event) pair keeps a delivery from being made twice).
 *
 * Call events arrive as a snapshot of the `calls` row (written by the trigger); their `data` — what `GET /calls/:id`
 * returns — is materialised here with the ORM, in the same transaction.
 */
@Injectable()
export class OutboxRelay implements BackgroundLoop {
  private readonly logger = new Logger('OutboxRelay');
  private readonly dispatchedListeners: Array<() => void> = [];
  /**
   * Until the next notification, or the interval (a missed notification, events of an instance that died); at once
   * after a full batch.
   */
  private readonly loop = new PassLoop({
    name: 'outbox relay',
    logger: this.logger,
    pass: async () => ((await this.pass()) === BATCH ? 0 : this.config.relayIntervalMs),
    retryMs: () => this.config.relayIntervalMs,
    minGapMs: MIN_PASS_GAP_MS,
  });

  constructor(
    private readonly jobs: JobsService,
    private readonly em: EntityManager,
    @Inject(jobsConfig.KEY) private readonly config: ConfigType<typeof jobsConfig>,
  ) {
    jobs.registerLoop(this);
    jobs.onNotify(EVENTS_INSERTED_CHANNEL, () => this.wake());
  }

  /** Called after each pass that created deliveries (the delivery loop on this instance picks them up at once). */
  onDispatched(listener: () => void): void {
    this.dispatchedListeners.push(listener);
  }

  wake(): void {
    this.loop.wake();
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One batch; returns how many events it dispatched. */
  async pass(): Promise<number> {
    // A queue transaction: the undispatched events are read in id order from their partial index, however many
    // arrived since the statistics were taken (a backlog after an outage).
    const { events, deliveries } = await this.jobs.queueTransaction(async (db) => {
      const { rows } = await db.executeSql(UNDISPATCHED_SQL, [BATCH]);
      if (rows.length === 0) return { events: 0, deliveries: 0 };
      const ids = rows.map((row: { id: number }) => row.id);
      const { rows: made } = await db.executeSql(DISPATCH_SQL, [ids]);
      // Only events someone receives are materialised now (before their delivery can run: same transaction); the
      // others are materialised when read (GET /events), so a tenant without endpoints costs no mapping here.
      const delivered = new Set(made.map((delivery: { event_id: number }) => delivery.event_id));
      await this.materialise(db, (rows as Array<{ id: number; type: string; snapshot: Record<string, unknown> | null }>).filter((row) => delivered.has(row.id)));
      return { events: rows.length, deliveries: made.length };
    });
    if (deliveries > 0) for (const listener of this.dispatchedListeners) listener();
    return events;
  }

  private async materialise(db: Db, rows: Array<{ id: number; type: string; snapshot: Record<string, unknown> | null }>): Promise<void> {
    const values = rows
      .filter((row) => row.snapshot && row.type.startsWith('call.'))
      .map((row) => ({ id: row.id, data: callEventData(this.em, row.snapshot!) }));
    if (values.length === 0) return;
    // Typed arrays, not a JSON record set: unnest's row estimate is the arrays' length (a record set is guessed at
    // 100 rows, whatever the batch), so each event is found by its primary key.
    await db.executeSql(`update events e set data = v.data from unnest($1::int[], $2::jsonb[]) as v(id, data) where e.id = v.id`, [
      values.map((value) => value.id),
      values.map((value) => JSON.stringify(value.data)),
    ]);
  }
}

/** The oldest undispatched events, up to $1, that no other relay holds (through `events_undispatched_index`). */
export const UNDISPATCHED_SQL = `
select id, type, case when data is null then snapshot end as snapshot
  from events where dispatched_at is null order by id limit $1 for update skip locked`;

/**
 * Deliveries for the claimed events ($1): every active endpoint of the event's owner whose event types and agents
 * match (null = all), or only the named endpoint for a `ping`; then the events are marked dispatched. Data-modifying
 * CTEs run whether or not the final SELECT reads them.
 */
const DISPATCH_SQL = `
with inserted as (
  insert into webhook_deliveries (endpoint_id, event_id, user_id, status, attempts, next_attempt_at, created_at, updated_at)
  select w.id, e.id, e.user_id, 'pending', 0, now(), now(), now()
    from events e
    join webhook_endpoints w on w.user_id = e.user_id and w.is_active
   where e.id = any($1::int[])
     and case when e.endpoint_id is not null then w.id = e.endpoint_id
              else (w.event_types is null or w.event_types @> to_jsonb(e.type::text))
               and (w.agent_ids is null or w.agent_ids @> to_jsonb(e.agent_id)) end
   -- Event by event, so each event's deliveries are next to each other in the queue (the endpoints' shares of the
   -- delivery slots then take turns instead of one endpoint's block of the batch waiting behind another's).
   order by e.id, w.id
  on conflict (endpoint_id, event_id) do nothing
  returning id, event_id),
dispatched as (update events set dispatched_at = now() where id = any($1::int[]))
select event_id from inserted`;
