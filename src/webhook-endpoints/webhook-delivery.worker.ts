import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { webhooksConfig } from '../config/jobs.config.js';
import { JobsService } from '../jobs/jobs.service.js';
import { WEBHOOK_DELIVERY_QUEUE, type WebhookDeliveryJob } from '../jobs/queues.js';
import { postWebhook, type DeliveryOutcome } from './webhook-http.js';
import { WebhookSigner } from './webhook-signer.js';

/** How long a claim outlives the HTTP time limit before another run may take the delivery over. */
const CLAIM_MARGIN_SECONDS = 5;

interface ClaimedDelivery {
  id: number;
  attempts: number;
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

/**
 * Runs one delivery job: claim the delivery (a short claim row, committed at once — no transaction or lock is held
 * while the partner's server answers), POST it, then record the outcome and, on failure, create the next attempt's
 * job in the same transaction. A job may run twice (pg-boss hands back the job of an instance that died): the claim
 * lets only one run attempt the delivery, and a claim whose holder died expires after the timeout plus a margin.
 */
@Injectable()
export class WebhookDeliveryWorker {
  private readonly logger = new Logger('WebhookDelivery');

  constructor(
    private readonly jobs: JobsService,
    private readonly signer: WebhookSigner,
    @Inject(webhooksConfig.KEY) private readonly config: ConfigType<typeof webhooksConfig>,
  ) {
    jobs.registerWorker<WebhookDeliveryJob>(
      WEBHOOK_DELIVERY_QUEUE,
      {
        notify: true,
        // The job's own retries are for infrastructure failures (database unreachable); a partner's failure is
        // recorded on the delivery and scheduled as a new job, per WEBHOOK_RETRY_SCHEDULE_SECONDS.
        retryLimit: 10,
        retryDelay: 5,
        retryBackoff: true,
        // A worker that dies stops heartbeating; supervision hands its job to another instance after this.
        heartbeatSeconds: 10,
        expireInSeconds: Math.ceil(config.timeoutMs / 1000) + 60,
        deleteAfterSeconds: 86_400,
      },
      // WEBHOOK_CONCURRENCY deliveries in flight, as workers of up to 4 jobs each (see JobsService.onApplicationBootstrap).
      {
        localConcurrency: Math.ceil(config.concurrency / Math.min(4, config.concurrency)),
        batchSize: Math.min(4, config.concurrency),
        burstWhenBatchFull: true,
        pollingIntervalSeconds: 2,
        notifyPollingIntervalSeconds: 2,
      },
      (job) => this.run(job.data.deliveryId),
    );
  }

  async run(deliveryId: number): Promise<void> {
    const token = randomUUID();
    const claimed = await this.claim(deliveryId, token);
    if (!claimed) return this.followUp(deliveryId);
    let outcome: DeliveryOutcome;
    if (!claimed.is_active) {
      outcome = { ok: false, statusCode: null, error: 'the endpoint is inactive', durationMs: 0 };
    } else {
      outcome = await this.attempt(claimed).catch((error: unknown) => {
        // E.g. a secret sealed under another WEBHOOK_SECRETS_KEY/JWT_SECRET: recorded like any failed attempt, so the
        // delivery follows its schedule instead of looping on a job that throws.
        this.logger.error({ msg: 'webhook delivery could not be attempted', deliveryId, error: (error as Error).message });
        return { ok: false, statusCode: null, error: 'internal error: the delivery could not be signed or sent', durationMs: 0 };
      });
    }
    await this.record(claimed, token, outcome, claimed.is_active);
  }

  private async attempt(claimed: ClaimedDelivery): Promise<DeliveryOutcome> {
    const body = JSON.stringify({ id: claimed.event_id, type: claimed.type, createdAt: claimed.created_at, data: claimed.data ?? {} });
    const secrets = [claimed.secret_ciphertext, ...(claimed.previous_secret_ciphertext ? [claimed.previous_secret_ciphertext] : [])];
    const headers = this.signer.headers(secrets, String(claimed.event_id), new Date(), body);
    return postWebhook(claimed.url, headers, body, { timeoutMs: this.config.timeoutMs, allowPrivate: this.config.allowPrivate });
  }

  /** Takes the attempt, or returns undefined when it is not due, done, or held by a live claim. */
  private async claim(deliveryId: number, token: string): Promise<ClaimedDelivery | undefined> {
    const [row] = await this.jobs.query<ClaimedDelivery>(
      `update webhook_deliveries d
          set claimed_until = now() + make_interval(secs => $2::float8), claim_token = $3, attempts = d.attempts + 1,
              last_attempt_at = now(), updated_at = now()
         from webhook_endpoints w, events e
        where d.id = $1 and w.id = d.endpoint_id and e.id = d.event_id
          and d.status = 'pending' and d.next_attempt_at <= now() + interval '1 second'
          and (d.claimed_until is null or d.claimed_until < now())
        returning d.id, d.attempts, w.id as endpoint_id, w.url, w.is_active, w.secret_ciphertext,
                  case when w.previous_secret_expires_at > now() then w.previous_secret_ciphertext end as previous_secret_ciphertext,
                  e.id as event_id, e.type, e.data, to_char(e.created_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at`,
      [deliveryId, this.config.timeoutMs / 1000 + CLAIM_MARGIN_SECONDS, token],
    );
    return row;
  }

  /**
   * Nothing to do now: the delivery is done, or not due yet (its own job exists), or held by another run's claim. In
   * the last case that run may have died with its job (pg-boss handed the job to us early): a job is left for when
   * the claim expires, so the delivery cannot be stranded. A surplus job finds nothing due and ends.
   */
  private async followUp(deliveryId: number): Promise<void> {
    await this.jobs.transaction(async (db) => {
      const { rows } = await db.executeSql(
        `select extract(epoch from claimed_until - now())::float8 as seconds from webhook_deliveries
          where id = $1 and status = 'pending' and claimed_until > now()`,
        [deliveryId],
      );
      if (rows.length === 0) return;
      const startAfter = new Date(Date.now() + (Number(rows[0].seconds) + 1) * 1000);
      await this.jobs.insert(WEBHOOK_DELIVERY_QUEUE, [{ data: { deliveryId }, startAfter }], db);
    });
  }

  private async record(claimed: ClaimedDelivery, token: string, outcome: DeliveryOutcome, countsForHealth: boolean): Promise<void> {
    const schedule = this.config.retryScheduleSeconds;
    const delay = outcome.ok || !claimed.is_active ? undefined : schedule[claimed.attempts - 1];
    const status = outcome.ok ? 'succeeded' : delay === undefined ? 'failed' : 'pending';
    if (outcome.ok) {
      // The common case in one statement (no transaction round trips): the delivery, and the endpoint's failure streak.
      await this.jobs.query(
        `with done as (
           update webhook_deliveries
              set status = 'succeeded', last_status_code = $3, last_error = null, last_duration_ms = $4, next_attempt_at = null,
                  claimed_until = null, claim_token = null
            where id = $1 and claim_token = $2
            returning endpoint_id)
         update webhook_endpoints set failing_since = null where id in (select endpoint_id from done) and failing_since is not null`,
        [claimed.id, token, outcome.statusCode, outcome.durationMs],
      );
      return;
    }
    await this.jobs.transaction(async (db) => {
      const { rows } = await db.executeSql(
        `update webhook_deliveries
            set status = $3, last_status_code = $4, last_error = $5, last_duration_ms = $6,
                next_attempt_at = case when $7::float8 is null then null else now() + make_interval(secs => $7::float8) end,
                claimed_until = null, claim_token = null, updated_at = now()
          where id = $1 and claim_token = $2
          returning next_attempt_at is not null as retry`,
        [claimed.id, token, status, outcome.statusCode, outcome.error, outcome.durationMs, delay ?? null],
      );
      // Our claim expired and another run took the delivery over: its outcome is the one that counts.
      if (rows.length === 0) return;
      if (delay !== undefined) {
        await this.jobs.insert(WEBHOOK_DELIVERY_QUEUE, [{ data: { deliveryId: claimed.id }, startAfter: new Date(Date.now() + delay * 1000) }], db);
      }
      if (!countsForHealth) return;
      // Every delivery failed since `failing_since` (any success clears it): past the limit the endpoint is disabled.
      await db.executeSql(
        `update webhook_endpoints
            set failing_since = coalesce(failing_since, now()),
                is_active = case when failing_since < now() - make_interval(secs => $2::float8) then false else is_active end,
                disabled_reason = case when failing_since < now() - make_interval(secs => $2::float8)
                  then 'Disabled: every delivery failed since ' || to_char(failing_since, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') ||
                       ' (last: ' || $3 || '). Fix the receiver, then PATCH isActive: true.'
                  else disabled_reason end,
                updated_at = now()
          where id = $1`,
        [claimed.endpoint_id, this.config.disableAfterSeconds, outcome.error ?? 'failed'],
      );
    });
    if (!outcome.ok) {
      this.logger.warn({ msg: 'webhook delivery failed', deliveryId: claimed.id, endpointId: claimed.endpoint_id, attempt: claimed.attempts, error: outcome.error, retryInSeconds: delay ?? null });
    }
  }
}
