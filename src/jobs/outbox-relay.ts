import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Db } from 'pg-boss';
import { jobsConfig } from '../config/jobs.config.js';
import { callEventData } from '../events/event-data.js';
import { JobsService, type BackgroundLoop } from './jobs.service.js';
import { WEBHOOK_DELIVERY_QUEUE } from './queues.js';

const BATCH = 200;

/**
 * The outbox relay: turns each undispatched event into one delivery row per matching endpoint plus one delivery job,
 * and marks the event dispatched — all in ONE transaction on the job engine's pool. Events are claimed with
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
  private running = false;
  private current: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly jobs: JobsService,
    private readonly em: EntityManager,
    @Inject(jobsConfig.KEY) private readonly config: ConfigType<typeof jobsConfig>,
  ) {
    jobs.registerLoop(this);
  }

  start(): void {
    this.running = true;
    this.current = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    await this.current;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let full = false;
      try {
        full = (await this.pass()) === BATCH;
      } catch (error) {
        if (this.running) this.logger.error({ msg: 'outbox relay pass failed; retrying', error: (error as Error).message });
      }
      if (!full && this.running) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.timer = setTimeout(resolve, this.config.relayIntervalMs);
        });
      }
    }
  }

  /** One batch; returns how many events it dispatched. */
  async pass(): Promise<number> {
    return this.jobs.transaction(async (db) => {
      const { rows } = await db.executeSql(
        `select id, type, case when data is null then snapshot end as snapshot
           from events where dispatched_at is null order by id limit $1 for update skip locked`,
        [BATCH],
      );
      if (rows.length === 0) return 0;
      const ids = rows.map((row: { id: number }) => row.id);
      const { rows: deliveries } = await db.executeSql(DISPATCH_SQL, [ids]);
      // Only events someone receives are materialised now (before their delivery can run: same transaction); the
      // others are materialised when read (GET /events), so a tenant without endpoints costs no mapping here.
      const delivered = new Set(deliveries.map((delivery: { event_id: number }) => delivery.event_id));
      await this.materialise(db, (rows as Array<{ id: number; type: string; snapshot: Record<string, unknown> | null }>).filter((row) => delivered.has(row.id)));
      await this.jobs.insert(
        WEBHOOK_DELIVERY_QUEUE,
        deliveries.map((delivery: { id: number }) => ({ data: { deliveryId: delivery.id } })),
        db,
      );
      return rows.length;
    });
  }

  private async materialise(db: Db, rows: Array<{ id: number; type: string; snapshot: Record<string, unknown> | null }>): Promise<void> {
    const values = rows
      .filter((row) => row.snapshot && row.type.startsWith('call.'))
      .map((row) => ({ id: row.id, data: callEventData(this.em, row.snapshot!) }));
    if (values.length === 0) return;
    await db.executeSql(
      `update events e set data = v.data from jsonb_to_recordset($1::jsonb) as v(id int, data jsonb) where e.id = v.id`,
      [JSON.stringify(values)],
    );
  }
}

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
  on conflict (endpoint_id, event_id) do nothing
  returning id, event_id),
dispatched as (update events set dispatched_at = now() where id = any($1::int[]))
select id, event_id from inserted order by id`;
