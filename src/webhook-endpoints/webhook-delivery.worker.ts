import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { jobsConfig, webhooksConfig } from '../config/jobs.config.js';
import { JobsService, type BackgroundLoop } from '../jobs/jobs.service.js';
import { OutboxRelay } from '../jobs/outbox-relay.js';
import { WebhookAgents, postWebhook, type DeliveryOutcome } from './webhook-http.js';
import { WebhookSigner } from './webhook-signer.js';

/** How long a claim outlives the attempts it may wait for and its own, before another instance may take it over. */
const CLAIM_MARGIN_SECONDS = 5;
/**
 * Claimed ahead: up to this many times WEBHOOK_CONCURRENCY deliveries are held (in flight + claimed and waiting for
 * a slot), so the next claim is on its way while slots are still fed, and claims are of a whole concurrency's worth.
 */
const HELD_PER_SLOT = 3;

/** Sent when a delivery becomes due outside the relay (POST …/deliveries/:id/retry, possibly on an api instance). */
export const DELIVERIES_DUE_CHANNEL = 'webhook_deliveries_due';

interface ClaimedDelivery {
  id: number;
  attempts: number;
  claim_token: string;
  endpoint_id: number;
  url: string;
  is_active: boolean;
  secret_ciphertext: string;
  previous_secret_ciphertext: string | null;
  event_id: number;
  type: string;
  data: Record<string, unknown> | null;
  created_at: string;
}

interface Outcome {
  claimed: ClaimedDelivery;
  outcome: DeliveryOutcome;
}

/**
 * The delivery loop: the `webhook_deliveries` rows are their own queue. Each instance claims due deliveries in
 * batches — one statement in a queue transaction, `for update skip locked`, setting a claim that lasts while the
 * delivery may wait for a slot and be attempted, committed at once, so no transaction or lock is held while a
 * partner's server answers — holds up to HELD_PER_SLOT × WEBHOOK_CONCURRENCY of them, POSTs them with up to
 * WEBHOOK_CONCURRENCY in flight (WEBHOOK_CONCURRENCY_PER_ENDPOINT to one endpoint), and records the outcomes of
 * whatever finished meanwhile in one statement.
 *
 * - One instance at a time: a claimed delivery is skipped by every other claim until its claim expires, and an
 *   outcome is recorded only under the claim token it was attempted with.
 * - A dead instance's deliveries: its claims expire and any instance claims them again (they are still due).
 * - Retries: a failure sets `next_attempt_at` per WEBHOOK_RETRY_SCHEDULE_SECONDS; a claim takes rows once due.
 *
 * It wakes when the relay on this instance created deliveries, on a `webhook_deliveries_due` notification, when an
 * attempt finishes (slots free up), and every EVENTS_RELAY_INTERVAL_MS (retries that came due, expired claims).
 */
@Injectable()
export class WebhookDeliveryWorker implements BackgroundLoop {
  private readonly logger = new Logger('WebhookDelivery');
  private readonly agents: WebhookAgents;

  private running = false;
  private readonly inFlight = new Set<Promise<void>>();
  /** Claimed, waiting for a free slot (oldest first). */
  private ready: ClaimedDelivery[] = [];
  /** Per endpoint: deliveries held (in flight or ready), and in flight. */
  private readonly heldBy = new Map<number, number>();
  private readonly inFlightBy = new Map<number, number>();
  /** Outcomes not recorded yet; the next recording takes them all. */
  private finished: Outcome[] = [];
  private recording: Promise<void> | undefined;
  /** A claim statement is running. */
  private claiming = false;
  /** False after a claim came back short: nothing more is due until a wake or the next interval. */
  private mayHaveDue = true;
  /** Counts wake() calls: a wake during a claim that came back short means look again (the claim may predate it). */
  private wakes = 0;
  /** The next claim, if the loop is idle, is preceded by DUE_PROBE_SQL (set by poll(), cleared by wake()). */
  private probeFirst = false;
  /** After a failed claim (database unreachable), no claim before this time. */
  private pausedUntil = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly jobs: JobsService,
    private readonly signer: WebhookSigner,
    relay: OutboxRelay,
    @Inject(webhooksConfig.KEY) private readonly config: ConfigType<typeof webhooksConfig>,
    @Inject(jobsConfig.KEY) private readonly jobsOptions: ConfigType<typeof jobsConfig>,
  ) {
    this.agents = new WebhookAgents(config.concurrency);
    jobs.registerLoop(this);
    relay.onDispatched(() => this.wake());
    jobs.onNotify(DELIVERIES_DUE_CHANNEL, () => this.wake());
  }

  start(): void {
    this.running = true;
    this.poll();
  }

  /**
   * Stops claiming, gives back the claims not started (another instance may take them at once), lets the attempts in
   * flight finish (each bounded by the time limit) and records them.
   */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    while (this.claiming || this.inFlight.size > 0 || this.recording || this.finished.length > 0 || this.ready.length > 0) {
      if (this.ready.length > 0) await this.release(this.ready.splice(0));
      this.pump();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    this.agents.destroy();
  }

  /** Something may be due: look at once. */
  wake(): void {
    this.wakes++;
    this.mayHaveDue = true;
    this.probeFirst = false;
    this.pump();
  }

  /**
   * Every EVENTS_RELAY_INTERVAL_MS: retries that came due and expired claims are found without a wake. An idle loop
   * that found nothing due last time asks with one probe statement before it opens a claim's transaction.
   */
  private poll(): void {
    if (!this.running) return;
    if (!this.mayHaveDue) this.probeFirst = true;
    this.mayHaveDue = true;
    this.pump();
    this.timer = setTimeout(() => this.poll(), this.jobsOptions.relayIntervalMs);
  }

  /**
   * Starts whatever can start now, on every event (a wake, an attempt finished, a statement returned): claimed
   * deliveries into free slots, one recording of the finished outcomes at a time (the next batch grows meanwhile), and
   * one claim at a time for the room left — taken only once it is a whole concurrency's worth while deliveries are
   * held (a claim costs the database about the same for 2 rows as for 16, so fewer, larger claims cost it less per
   * delivery; the deliveries held meanwhile keep the slots busy), and at once, whatever is due, when idle (latency).
   */
  private pump(): void {
    // Oldest first, skipping endpoints at their share of the slots (WEBHOOK_CONCURRENCY_PER_ENDPOINT).
    for (let i = 0; this.running && i < this.ready.length && this.inFlight.size < this.config.concurrency; ) {
      const next = this.ready[i]!;
      if ((this.inFlightBy.get(next.endpoint_id) ?? 0) >= this.config.concurrencyPerEndpoint) i++;
      else this.launch(this.ready.splice(i, 1)[0]!);
    }
    if (this.finished.length > 0 && !this.recording) {
      this.recording = this.recordFinished().finally(() => {
        this.recording = undefined;
        this.pump();
      });
    }
    if (!this.running || !this.mayHaveDue || this.claiming || Date.now() < this.pausedUntil) return;
    const held = this.inFlight.size + this.ready.length;
    const room = this.config.concurrency * HELD_PER_SLOT - held;
    if (room <= 0 || (held > 0 && room < this.config.concurrency)) return;
    const wakes = this.wakes;
    const probe = this.probeFirst && held === 0;
    this.probeFirst = false;
    this.claiming = true;
    this.claim(room, probe)
      .then(
        ({ claimed, limited }) => {
          // Started by pump(); when stopping meanwhile, given back by stop().
          this.ready.push(...claimed);
          for (const delivery of claimed) count(this.heldBy, delivery.endpoint_id, 1);
          // Short, and not because an endpoint's share held it back (those may have more once their attempts end).
          if (claimed.length < room && this.wakes === wakes && !limited) this.mayHaveDue = false;
        },
        (error: unknown) => {
          this.pausedUntil = Date.now() + 1000;
          if (this.running) this.logger.error({ msg: 'webhook deliveries could not be claimed; retrying in 1 s', error: (error as Error).message });
        },
      )
      .finally(() => {
        this.claiming = false;
        this.pump();
      });
  }

  private launch(claimed: ClaimedDelivery): void {
    count(this.inFlightBy, claimed.endpoint_id, 1);
    const run = this.attempt(claimed).then((outcome) => {
      this.finished.push({ claimed, outcome });
      this.inFlight.delete(run);
      count(this.inFlightBy, claimed.endpoint_id, -1);
      count(this.heldBy, claimed.endpoint_id, -1);
      this.pump();
    });
    this.inFlight.add(run);
  }

  /** What one endpoint may hold on this instance: its share of the slots, times what is held per slot. */
  private get heldShare(): number {
    return this.config.concurrencyPerEndpoint * HELD_PER_SLOT;
  }

  /** Never rejects: every outcome, including "could not even be signed", is recorded like an HTTP failure. */
  private async attempt(claimed: ClaimedDelivery): Promise<DeliveryOutcome> {
    if (!claimed.is_active) return { ok: false, statusCode: null, error: 'the endpoint is inactive', durationMs: 0 };
    try {
      const body = JSON.stringify({ id: claimed.event_id, type: claimed.type, createdAt: claimed.created_at, data: claimed.data ?? {} });
      const secrets = [claimed.secret_ciphertext, ...(claimed.previous_secret_ciphertext ? [claimed.previous_secret_ciphertext] : [])];
      const headers = this.signer.headers(secrets, String(claimed.event_id), new Date(), body);
      return await postWebhook(claimed.url, headers, body, { timeoutMs: this.config.timeoutMs, allowPrivate: this.config.allowPrivate, agents: this.agents });
    } catch (error) {
      // E.g. a secret sealed under another WEBHOOK_SECRETS_KEY/JWT_SECRET: recorded like any failed attempt, so the
      // delivery follows its schedule instead of looping.
      this.logger.error({ msg: 'webhook delivery could not be attempted', deliveryId: claimed.id, error: (error as Error).message });
      return { ok: false, statusCode: null, error: 'internal error: the delivery could not be signed or sent', durationMs: 0 };
    }
  }

  /**
   * Takes up to `limit` due deliveries, oldest due first, in one statement; the claim is committed with it. It lasts
   * while the delivery may wait for a slot (behind at most HELD_PER_SLOT - 1 rounds of attempts, each bounded by the
   * time limit), its own attempt, and a margin.
   */
  private async claim(limit: number, probe: boolean): Promise<{ claimed: ClaimedDelivery[]; limited: boolean }> {
    if (probe && !(await this.jobs.query<{ due: boolean }>(DUE_PROBE_SQL))[0]?.due) return { claimed: [], limited: false };
    const seconds = (HELD_PER_SLOT * this.config.timeoutMs) / 1000 + CLAIM_MARGIN_SECONDS;
    // Each endpoint's room within its share: none (left out of the scan), some, or all of it (not listed).
    const full: number[] = [];
    const partly: Array<[number, number]> = [];
    for (const [endpointId, held] of this.heldBy) {
      if (held >= this.heldShare) full.push(endpointId);
      else partly.push([endpointId, this.heldShare - held]);
    }
    const params = [limit, seconds, randomUUID(), full, partly.map(([id]) => id), partly.map(([, left]) => left), this.heldShare];
    // A queue transaction: planned to walk the due index in order whatever the statistics say.
    const claimed = await this.jobs.queueTransaction(async (db) => (await db.executeSql(CLAIM_SQL, params)).rows as ClaimedDelivery[]);
    // Whether a share held this claim back: an endpoint left out, or one that got all the room it was given.
    const got = new Map<number, number>();
    for (const delivery of claimed) count(got, delivery.endpoint_id, 1);
    const given = new Map(partly);
    const limited = full.length > 0 || [...got].some(([endpointId, n]) => n >= (given.get(endpointId) ?? this.heldShare));
    return { claimed, limited };
  }

  /** Gives back claims never attempted (stopping): due again at once, for any instance, with their attempt uncounted. */
  private async release(claimed: ClaimedDelivery[]): Promise<void> {
    if (claimed.length === 0) return;
    for (const delivery of claimed) count(this.heldBy, delivery.endpoint_id, -1);
    try {
      await this.jobs.query(RELEASE_SQL, [claimed.map((delivery) => delivery.id), claimed.map((delivery) => delivery.claim_token)]);
    } catch (error) {
      // Their claims expire instead.
      this.logger.warn({ msg: 'claimed webhook deliveries not released; their claims expire', deliveries: claimed.length, error: (error as Error).message });
    }
  }

  /**
   * The outcomes finished since the last call, in one statement: each delivery (only under its claim token: if our
   * claim expired and another instance took the delivery over, its outcome is the one that counts) and each
   * endpoint's failure streak — any success clears it; failures start it, and past WEBHOOK_DISABLE_AFTER_SECONDS of
   * nothing but failures disable the endpoint with the reason.
   */
  private async recordFinished(): Promise<void> {
    if (this.finished.length === 0) return;
    const batch = this.finished;
    this.finished = [];
    const schedule = this.config.retryScheduleSeconds;
    const rows = batch.map(({ claimed, outcome }) => {
      const delay = outcome.ok || !claimed.is_active ? undefined : schedule[claimed.attempts - 1];
      return {
        id: claimed.id,
        token: claimed.claim_token,
        status: outcome.ok ? 'succeeded' : delay === undefined ? 'failed' : 'pending',
        ok: outcome.ok,
        code: outcome.statusCode,
        error: outcome.error,
        ms: outcome.durationMs,
        delay: delay ?? null,
        health: claimed.is_active,
      };
    });
    // One array per column (unnest estimates its rows from the arrays; a JSON record set is always guessed at 100
    // rows, which makes a hash join over the whole table look cheaper than one index probe per outcome).
    const columns = (['id', 'token', 'status', 'ok', 'code', 'error', 'ms', 'delay', 'health'] as const).map((key) => rows.map((row) => row[key]));
    try {
      await this.withRetry(() => this.jobs.query(RECORD_SQL, [...columns, this.config.disableAfterSeconds]));
    } catch (error) {
      // Not recorded: the claims expire and the deliveries are attempted again (a duplicate, never a loss).
      this.logger.error({ msg: 'webhook delivery outcomes not recorded', deliveries: rows.length, error: (error as Error).message });
      return;
    }
    rows.forEach((row, i) => {
      if (row.ok) return;
      const { claimed } = batch[i]!;
      this.logger.warn({ msg: 'webhook delivery failed', deliveryId: row.id, endpointId: claimed.endpoint_id, attempt: claimed.attempts, error: row.error, retryInSeconds: row.delay });
    });
  }

  /** A deadlock or serialization failure between instances recording at once is retried a few times. */
  private async withRetry<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (attempt >= 3 || (code !== '40P01' && code !== '40001')) throw error;
      }
    }
  }
}

/**
 * Whether anything is due (the same condition as CLAIM_SQL's). One statement, not a queue transaction: it runs only
 * when the loop is idle and found nothing due last time, so there is little to read (and once, if a backlog came due).
 */
const DUE_PROBE_SQL = `
select exists (select 1 from webhook_deliveries
                where status = 'pending' and next_attempt_at <= now() and (claimed_until is null or claimed_until < now())) as due`;

function count(map: Map<number, number>, key: number, delta: number): void {
  const value = (map.get(key) ?? 0) + delta;
  if (value > 0) map.set(key, value);
  else map.delete(key);
}

/**
 * Due = pending, `next_attempt_at` reached, no live claim (never claimed, released, or expired: a dead instance's).
 * The partial index `webhook_deliveries_due_index` keeps the scan on pending rows however many deliveries exist.
 *
 * Oldest due first, within each endpoint's share of this instance ($4: endpoints with no room left, skipped by the
 * scan; $5/$6: endpoints with some room and how much; $7: the room of any other endpoint). The scan looks 4 × $1 rows
 * ahead, so the rows of an endpoint at the head of the queue that has reached its share leave room for the others' in
 * the same claim; the chosen rows are then locked by primary key (`skip locked`: another instance's claim may hold
 * some) and claimed if still due — `status` is checked there, not in the lock's condition, which would make the
 * partial due index a candidate for that lookup too (a scan of all of it, under stale statistics).
 */
export const CLAIM_SQL = `
with scan as (
  select id, endpoint_id, next_attempt_at from webhook_deliveries
   where status = 'pending' and next_attempt_at <= now() and (claimed_until is null or claimed_until < now())
     and endpoint_id <> all($4::int[])
   order by next_attempt_at, id
   limit $1::int * 4),
picked as (
  select r.id from (
    select s.id, s.next_attempt_at, coalesce(a.room, $7::int) as room,
           row_number() over (partition by s.endpoint_id order by s.next_attempt_at, s.id) as n
      from scan s left join unnest($5::int[], $6::int[]) as a(endpoint_id, room) on a.endpoint_id = s.endpoint_id) as r
   where r.n <= r.room
   order by r.next_attempt_at, r.id
   limit $1),
due as (
  select d.id from webhook_deliveries d
   where d.id = any(array(select id from picked)) and (d.claimed_until is null or d.claimed_until < now())
   for update skip locked),
claimed as (
  update webhook_deliveries d
     set claimed_until = now() + make_interval(secs => $2::float8), claim_token = $3::uuid, attempts = d.attempts + 1,
         last_attempt_at = now()
    from due where d.id = due.id and d.status = 'pending' and (d.claimed_until is null or d.claimed_until < now())
  returning d.id, d.attempts, d.endpoint_id, d.event_id, d.claim_token)
select c.id, c.attempts, c.claim_token, w.id as endpoint_id, w.url, w.is_active, w.secret_ciphertext,
       case when w.previous_secret_expires_at > now() then w.previous_secret_ciphertext end as previous_secret_ciphertext,
       e.id as event_id, e.type, e.data, to_char(e.created_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at
  from claimed c
  join webhook_endpoints w on w.id = c.endpoint_id
  join events e on e.id = c.event_id
 order by c.id`;

const RELEASE_SQL = `
update webhook_deliveries d
   set claimed_until = null, claim_token = null, attempts = d.attempts - 1
  from unnest($1::int[], $2::uuid[]) as r(id, token)
 where d.id = r.id and d.claim_token = r.token`;

/**
 * $1…$9: the outcomes, a column each, $10: WEBHOOK_DISABLE_AFTER_SECONDS. An endpoint's row is updated at most once (a
 * statement cannot update a row twice): with a success in the batch its streak is cleared, with only failures the
 * streak starts or goes on, and ends the endpoint once it is older than the limit. Outcomes of an inactive endpoint
 * (`health` false) do not count. Data-modifying CTEs run whether or not the final SELECT reads them.
 */
export const RECORD_SQL = `
with outcome as (
  select * from unnest($1::int[], $2::uuid[], $3::text[], $4::boolean[], $5::int[], $6::text[], $7::int[], $8::float8[], $9::boolean[])
    as o(id, token, status, ok, code, error, ms, delay, health)),
recorded as (
  update webhook_deliveries d
     set status = o.status, last_status_code = o.code, last_error = o.error, last_duration_ms = o.ms,
         next_attempt_at = case when o.delay is null then null else now() + make_interval(secs => o.delay) end,
         claimed_until = null, claim_token = null
    from outcome o
   where d.id = o.id and d.claim_token = o.token
  returning d.endpoint_id, o.ok, o.health, o.error, o.id),
streak as (
  select endpoint_id, bool_or(ok) as any_ok, (array_agg(error order by id desc) filter (where not ok))[1] as last_error
    from recorded where health group by endpoint_id),
endpoints as (
  update webhook_endpoints w
     set failing_since = case when s.any_ok then null else coalesce(w.failing_since, now()) end,
         is_active = case when not s.any_ok and w.failing_since < now() - make_interval(secs => $10::float8) then false else w.is_active end,
         disabled_reason = case when not s.any_ok and w.failing_since < now() - make_interval(secs => $10::float8)
           then 'Disabled: every delivery failed since ' || to_char(w.failing_since, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') ||
                ' (last: ' || coalesce(s.last_error, 'failed') || '). Fix the receiver, then PATCH isActive: true.'
           else w.disabled_reason end
    from streak s
   where w.id = s.endpoint_id and (not s.any_ok or w.failing_since is not null)
  returning w.id)
select count(*)::int as recorded from recorded`;
