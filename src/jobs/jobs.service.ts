import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import pg from 'pg';
import { PgBoss, type Db, type Job, type Queue, type WorkOptions } from 'pg-boss';
import { jobsConfig } from '../config/jobs.config.js';

export const JOBS_DATABASE_URL = Symbol('JOBS_DATABASE_URL');

interface WorkerRegistration {
  queue: Omit<Queue, 'name'>;
  options: WorkOptions;
  handler: (job: Job<object>) => Promise<void>;
}

/** A loop that runs on worker instances only (the outbox relay): started after pg-boss, stopped before it. */
export interface BackgroundLoop {
  start(): void;
  stop(): Promise<void>;
}

/** The planner settings of `queueTransaction()`, for its transaction only. */
export const QUEUE_PLAN_SQL = `select set_config('enable_bitmapscan', 'off', true), set_config('synchronous_commit', 'off', true)`;

/**
 * The job engine: one pg-boss on the app's own PostgreSQL, in its own schema (`JOBS_SCHEMA`, default `pgboss`), which
 * pg-boss creates and migrates itself at start (under an advisory lock, so instances starting together are safe).
 * Every role starts it, because every role enqueues; only `all` and `worker` run the handlers, the relay and
 * pg-boss's supervision (handing back jobs whose instance died). Queues are declared by the modules that own them.
 */
@Injectable()
export class JobsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Jobs');
  private readonly boss: PgBoss;
  private readonly workers = new Map<string, WorkerRegistration>();
  private readonly loops: BackgroundLoop[] = [];
  private readonly schedules = new Map<string, string>();
  private readonly listeners = new Map<string, Array<() => void>>();
  private listener: pg.Client | undefined;
  private listenRetry: NodeJS.Timeout | undefined;
  private started = false;

  constructor(
    @Inject(JOBS_DATABASE_URL) private readonly databaseUrl: string,
    @Inject(jobsConfig.KEY) private readonly config: ConfigType<typeof jobsConfig>,
  ) {
    const runsWork = this.runsWorkers;
    this.boss = new PgBoss({
      connectionString: databaseUrl,
      schema: config.schema,
      max: config.poolMax,
      application_name: `retell-agents-${config.role}`,
      // The app's columns are `timestamp` holding UTC (see orm-options.ts): now() written from this pool must agree.
      options: '-c timezone=UTC',
      instanceName: config.role,
      supervise: runsWork,
      // Cron schedules (registerSchedule) are sent by the worker instances; pg-boss makes one of them send each.
      schedule: runsWork,
      superviseIntervalSeconds: config.superviseIntervalSeconds,
      monitorIntervalSeconds: config.superviseIntervalSeconds,
      // Workers on notify queues wake when a job is committed, on any instance, instead of at their next poll.
      useListenNotify: runsWork,
    });
    this.boss.on('error', (error) => this.logger.error({ msg: 'job engine error', error: error.message }));
  }

  /** True on instances that run jobs (`APP_ROLE` all or worker). */
  get runsWorkers(): boolean {
    return this.config.role !== 'api';
  }

  /** Declares a queue and its handler; the handler runs only on worker instances. Call before bootstrap. */
  registerWorker<T extends object>(name: string, queue: Omit<Queue, 'name'>, options: WorkOptions, handler: (job: Job<T>) => Promise<void>): void {
    this.workers.set(name, { queue, options, handler: handler as (job: Job<object>) => Promise<void> });
  }

  registerLoop(loop: BackgroundLoop): void {
    this.loops.push(loop);
  }

  /** A job sent on a cron expression (UTC) by one of the worker instances; its queue is declared by registerWorker. */
  registerSchedule(name: string, cron: string): void {
    this.schedules.set(name, cron);
  }

  /**
   * Calls `handler` on worker instances whenever `NOTIFY channel` commits anywhere on the database, and once after the
   * listening connection is (re)established — notifications sent while it was down are lost, so a handler must treat
   * a call as "look again", never as a count. Call before bootstrap.
   */
  onNotify(channel: string, handler: () => void): void {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), handler]);
  }

  async onApplicationBootstrap(): Promise<void> {
    // After every onModuleInit, so the app's own migrations (outbox tables) are in place before any worker runs.
    await this.boss.start();
    this.started = true;
    for (const [name, { queue }] of this.workers) await this.boss.createQueue(name, queue);
    if (!this.runsWorkers) return;
    for (const [name, { options, handler }] of this.workers) {
      // The jobs of a batch run side by side and are settled one by one: a failed one is retried alone. A full batch
      // fetches again at once (pg-boss waits its polling interval after a short one, or until a NOTIFY).
      await this.boss.work<object>(name, { ...options, perJobResults: true as const }, async (jobs) => {
        const results = await Promise.allSettled(jobs.map((job) => handler(job)));
        return jobs.map((job, i) => {
          const result = results[i]!;
          if (result.status === 'fulfilled') return { id: job.id, status: 'completed' as const };
          this.logger.error({ msg: 'job failed; pg-boss retries it', queue: name, jobId: job.id, error: (result.reason as Error)?.message });
          return { id: job.id, status: 'failed' as const, output: { message: String((result.reason as Error)?.message ?? result.reason) } };
        });
      });
    }
    for (const [name, cron] of this.schedules) await this.boss.schedule(name, cron, null, { tz: 'UTC' });
    for (const loop of this.loops) loop.start();
    await this.listen();
  }

  /** One dedicated connection LISTENing on every registered channel, reconnected a second after it fails. */
  private async listen(): Promise<void> {
    if (this.listeners.size === 0 || !this.started) return;
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: `retell-agents-${this.config.role}-listen`, keepAlive: true });
    const retry = (error?: Error) => {
      if (this.listener !== client) return;
      this.listener = undefined;
      client.end().catch(() => undefined);
      if (!this.started) return;
      if (error) this.logger.warn({ msg: 'notification listener lost; reconnecting', error: error.message });
      this.listenRetry = setTimeout(() => void this.listen(), 1000);
    };
    this.listener = client;
    client.on('error', retry);
    client.on('end', () => retry(new Error('connection ended')));
    client.on('notification', (message) => {
      for (const handler of this.listeners.get(message.channel) ?? []) handler();
    });
    try {
      await client.connect();
      for (const channel of this.listeners.keys()) await client.query(`listen "${channel.replaceAll('"', '""')}"`);
    } catch (error) {
      retry(error as Error);
      return;
    }
    // Whatever was notified before this connection listened is looked at now.
    for (const handlers of this.listeners.values()) for (const handler of handlers) handler();
  }

  /**
   * Before the ORM closes (Nest runs every onModuleDestroy before the shutdown hooks): the relay finishes its pass,
   * then pg-boss stops fetching, lets active jobs finish (bounded) and closes its pool, so a test's database can be
   * dropped and no job writes through a closed ORM.
   */
  async onModuleDestroy(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    if (this.listenRetry) clearTimeout(this.listenRetry);
    await listener?.end().catch(() => undefined);
    await Promise.all(this.loops.map((loop) => loop.stop()));
    if (this.started) await this.boss.stop({ graceful: true, timeout: 15_000, close: true });
    this.started = false;
  }

  /** Enqueues jobs; pass `db` to create them in a transaction from `transaction()` (the outbox). */
  async insert(name: string, jobs: Array<{ data: object; startAfter?: Date }>, db?: Db): Promise<void> {
    if (jobs.length === 0) return;
    await this.boss.insert(name, jobs, db ? { db } : undefined);
  }

  /**
   * Runs `work` in one transaction on the job engine's pool: rows written through `db.executeSql` and jobs inserted
   * with `insert(…, db)` commit together or not at all.
   */
  async transaction<T>(work: (db: Db) => Promise<T>): Promise<T> {
    const begin = this.boss.getDb().beginTransaction;
    if (!begin) throw new Error('the job engine database has no transactions');
    const tx = await begin.call(this.boss.getDb());
    try {
      const result = await work(tx.db);
      await tx.commit();
      return result;
    } catch (error) {
      await tx.rollback();
      throw error;
    }
  }

  /**
   * `transaction()` for taking rows from a queue table (`… order by … limit n for update skip locked` over a partial
   * index): with bitmap scans off, so the claim walks the index in order and stops after n entries. A queue's size
   * swings from nothing to a backlog of thousands faster than its statistics follow (autovacuum analyzes a minute or
   * more later); planned from statistics that say the table is nearly empty, the claim reads and sorts every due row
   * instead — 6 ms instead of 0.3 ms per claim in a 20,000-row backlog. The commit does not wait for the disk: callers
   * are at-least-once (a claim lost in a database crash means the work is done again), and must be.
   */
  async queueTransaction<T>(work: (db: Db) => Promise<T>): Promise<T> {
    return this.transaction(async (db) => {
      await db.executeSql(QUEUE_PLAN_SQL);
      return work(db);
    });
  }

  /** One statement on the job engine's pool, outside any transaction. */
  async query<R = Record<string, unknown>>(sql: string, values: unknown[] = []): Promise<R[]> {
    return (await this.boss.getDb().executeSql(sql, values)).rows as R[];
  }
}
