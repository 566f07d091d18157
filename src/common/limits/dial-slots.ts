import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { EntityManager } from '@mikro-orm/postgresql';
import { callsConfig } from '../../config/calls.config.js';
import { RetellGateway } from '../../retell/retell.gateway.js';
import { ApiException } from '../errors/app-exceptions.js';

export type DialRefusalReason = 'user_concurrency' | 'workspace_concurrency' | 'minutes_cap';
export interface DialRefusal {
  reason: DialRefusalReason;
  message: string;
  retryAfterSeconds?: number;
}
export interface DialSlot {
  id: number;
}

/**
 * The statuses of a call that is not final, as the call merge stores them (`statusFor` in src/calls/call-merge.ts
 * only ever writes registered, ongoing, ended, not_connected or error; the last three are final).
 */
export const LIVE_CALL_STATUSES = ['registered', 'ongoing'] as const;

/**
 * A call row still `registered`/`ongoing` this long after it was created has lost its final webhook (Retell's longest
 * call is 2 h, plus at most 5 min of ringing): it stops counting, so a lost event cannot hold a slot for ever.
 */
export const LIVE_CALL_HORIZON_MINUTES = 135;

/**
 * An unattached slot — Retell was asked but the answer was never recorded (the instance died, or Retell did not answer
 * and may have dialled) — counts this long, then expires. Long enough for any create (timeouts × retries, ≈ 1 min)
 * and for a dialer to reconcile and `attach`; short enough that a slot leaked by a dead instance comes back soon.
 */
export const UNATTACHED_SLOT_TTL_SECONDS = 300;

/** Retell's workspace limit is configuration, not a count: re-read it this often. */
const WORKSPACE_LIMIT_TTL_MS = 60_000;
/** Finished slots are deleted at most this often per process (they already count no more). */
const CLEANUP_INTERVAL_MS = 5_000;
/** How soon to retry a dial refused for concurrency: calls end within seconds to minutes. */
const CONCURRENCY_RETRY_AFTER_SECONDS = 5;

/** One transaction-scoped advisory lock serialises every acquire of every instance (a few ms each). */
const ACQUIRE_LOCK_KEY = 1_515_015_001;

/** What counts, as one SQL condition over `dial_slots s left join calls c on c.id = s.call_id`. */
const COUNTS = `((s.call_id is null and s.expires_at > now())
   or (c.status in (${LIVE_CALL_STATUSES.map((status) => `'${status}'`).join(', ')})
       and c.created_at > (now() at time zone 'utc') - interval '${LIVE_CALL_HORIZON_MINUTES} minutes'))`;

/** The first instant of next month (UTC): when a minutes cap lifts. */
function nextMonthUtc(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
}

/** A refusal as our error envelope: 429 with its `code` and a Retry-After. */
export function dialRefusalException(refusal: DialRefusal): ApiException {
  return new ApiException(429, refusal.message, {
    code: refusal.reason,
    ...(refusal.retryAfterSeconds !== undefined && { retryAfterSeconds: refusal.retryAfterSeconds }),
  });
}

/**
 * Call concurrency and minutes, shared by every instance in PostgreSQL (table `dial_slots`). Every dial — single
 * phone or web call, or a campaign's — takes a slot before Retell is asked:
 *  - the user's live slots stay below CALL_CONCURRENCY_PER_USER, the workspace's below its limit
 *    (RETELL_CONCURRENCY_LIMIT, else Retell's get-concurrency, cached ~60 s) — all in one short transaction under an
 *    advisory lock, so concurrent acquires on any number of instances get exactly the limit; no lock or transaction
 *    is held while Retell is asked;
 *  - the user's call minutes this calendar month (UTC) stay below CALL_MINUTES_PER_MONTH_PER_USER (unset = no cap),
 *    read from the analytics rollups (`call_rollups`, UTC quarter hours, kept by the calls trigger): ended calls'
 *    durations, so calls still in progress are not in the sum yet.
 * A slot counts while unattached and unexpired (UNATTACHED_SLOT_TTL_SECONDS), or once attached while its call row is
 * not final (LIVE_CALL_STATUSES, within LIVE_CALL_HORIZON_MINUTES): no trigger on `calls`, no change to the webhook
 * merge; slots that count no more are deleted lazily. Calls that took no slot (inbound calls) are not counted here;
 * Retell's own 429 (`RetellFailure.concurrencyLimited`) still guards the workspace.
 */
@Injectable()
export class DialSlots {
  private readonly logger = new Logger('DialSlots');
  private cachedLimit?: { value: number; until: number };
  private pendingLimit?: Promise<number>;
  private lastCleanup = 0;

  constructor(
    private readonly em: EntityManager,
    private readonly gateway: RetellGateway,
    @Inject(callsConfig.KEY) private readonly config: ConfigType<typeof callsConfig>,
  ) {}

  /**
   * One slot for one dial, atomic across instances (one short transaction, no lock held across Retell): refused when
   * the user's live calls + slots reach CALL_CONCURRENCY_PER_USER, the workspace's reach its limit
   * (RETELL_CONCURRENCY_LIMIT if set, else Retell's get-concurrency limit, cached ~60 s), or the user's minutes this
   * calendar month (UTC) reach CALL_MINUTES_PER_MONTH_PER_USER (unset = no cap). `reserveForOthers` lets a caller (the
   * dialer) keep headroom: it is refused once the workspace's live slots + `reserveForOthers` reach the limit.
   */
  async acquire(userId: number, options: { campaignId?: number; reserveForOthers?: number } = {}): Promise<{ slot: DialSlot } | { refused: DialRefusal }> {
    const minutes = await this.minutesRefusal(userId);
    if (minutes) return { refused: minutes };
    const workspaceLimit = await this.workspaceLimit();
    const userLimit = this.config.callConcurrencyPerUser;
    const reserve = Math.max(0, options.reserveForOthers ?? 0);
    const outcome = await this.em.fork().transactional(async (em): Promise<{ slot: DialSlot } | { refusedFor: 'user_concurrency' | 'workspace_concurrency' }> => {
      await em.execute('select pg_advisory_xact_lock(?)', [ACQUIRE_LOCK_KEY]);
      const [counts] = await em.execute<Array<{ workspace: number; mine: number }>>(
        `select count(*)::int as workspace, count(*) filter (where s.user_id = ?)::int as mine
           from dial_slots s left join calls c on c.id = s.call_id
          where ${COUNTS}`,
        [userId],
      );
      if (counts!.mine >= userLimit) return { refusedFor: 'user_concurrency' };
      if (counts!.workspace + reserve >= workspaceLimit) return { refusedFor: 'workspace_concurrency' };
      const [row] = await em.execute<Array<{ id: number }>>(
        `insert into dial_slots (user_id, campaign_id, expires_at) values (?, ?, now() + interval '${UNATTACHED_SLOT_TTL_SECONDS} seconds') returning id`,
        [userId, options.campaignId ?? null],
      );
      return { slot: { id: row!.id } };
    });
    this.cleanupSoon();
    if ('slot' in outcome) return outcome;
    return {
      refused:
        outcome.refusedFor === 'user_concurrency'
          ? {
              reason: 'user_concurrency',
              message: `You already have ${userLimit} calls in progress (the most at once); try again when one ends`,
              retryAfterSeconds: CONCURRENCY_RETRY_AFTER_SECONDS,
            }
          : {
              reason: 'workspace_concurrency',
              message: 'All call lines are busy right now (the shared Retell workspace is at its concurrency limit); try again shortly',
              retryAfterSeconds: CONCURRENCY_RETRY_AFTER_SECONDS,
            },
    };
  }

  /** Ties the slot to our call row once Retell answered; the slot frees itself when that call reaches a final status. */
  async attach(slot: DialSlot, callId: number): Promise<void> {
    await this.em.getConnection().execute('update dial_slots set call_id = ? where id = ?', [callId, slot.id]);
  }

  /** Gives the slot back (Retell refused or never got the dial). */
  async release(slot: DialSlot): Promise<void> {
    await this.em.getConnection().execute('delete from dial_slots where id = ?', [slot.id]);
  }

  /** Live usage, for the dialer's fair share: workspace limit and live slots, per user. */
  async usage(): Promise<{ workspaceLimit: number; workspaceLive: number; perUser: Map<number, number> }> {
    const workspaceLimit = await this.workspaceLimit();
    const rows = await this.em.getConnection().execute<Array<{ userId: number; live: number }>>(
      `select s.user_id as "userId", count(*)::int as live
         from dial_slots s left join calls c on c.id = s.call_id
        where ${COUNTS}
        group by s.user_id`,
    );
    const perUser = new Map(rows.map((row) => [row.userId, row.live]));
    return { workspaceLimit, workspaceLive: rows.reduce((sum, row) => sum + row.live, 0), perUser };
  }

  /** The user's call minutes this calendar month (UTC), from the analytics rollups: whole seconds of ended calls / 60. */
  async minutesUsedThisMonth(userId: number): Promise<number> {
    const [row] = await this.em.getConnection().execute<Array<{ seconds: string | number }>>(
      `select coalesce(sum(duration_seconds), 0) as seconds from call_rollups
        where user_id = ? and bucket >= date_trunc('month', now() at time zone 'utc')`,
      [userId],
    );
    return Number(row?.seconds ?? 0) / 60;
  }

  private async minutesRefusal(userId: number): Promise<DialRefusal | undefined> {
    const cap = this.config.callMinutesPerMonthPerUser;
    if (cap === undefined) return undefined;
    if ((await this.minutesUsedThisMonth(userId)) < cap) return undefined;
    const now = new Date();
    const resumes = nextMonthUtc(now);
    return {
      reason: 'minutes_cap',
      message: `This month's ${cap} call minutes are used up; calls can be placed again from ${resumes.toISOString()}`,
      retryAfterSeconds: Math.ceil((resumes.getTime() - now.getTime()) / 1000),
    };
  }

  /** RETELL_CONCURRENCY_LIMIT, else Retell's limit (one request at a time, reused ~60 s). */
  private async workspaceLimit(): Promise<number> {
    if (this.config.retellConcurrencyLimit !== undefined) return this.config.retellConcurrencyLimit;
    if (this.cachedLimit && this.cachedLimit.until > Date.now()) return this.cachedLimit.value;
    this.pendingLimit ??= this.gateway
      .getConcurrency()
      .then(({ limit }) => {
        this.cachedLimit = { value: limit, until: Date.now() + WORKSPACE_LIMIT_TTL_MS };
        return limit;
      })
      .finally(() => (this.pendingLimit = undefined));
    try {
      return await this.pendingLimit;
    } catch (error) {
      // Retell did not answer: the last known limit is better than refusing every dial; none known → the error.
      if (this.cachedLimit) return this.cachedLimit.value;
      throw error;
    }
  }

  /** Deletes slots that count no more (expired, or their call is final or past the horizon), now and then. */
  private cleanupSoon(): void {
    if (Date.now() - this.lastCleanup < CLEANUP_INTERVAL_MS) return;
    this.lastCleanup = Date.now();
    this.em
      .getConnection()
      .execute(
        `delete from dial_slots where id in (
           select s.id from dial_slots s left join calls c on c.id = s.call_id where not coalesce(${COUNTS}, false) limit 5000)`,
      )
      .catch((error: unknown) => this.logger.warn({ msg: 'could not delete finished dial slots', err: error instanceof Error ? error.message : String(error) }));
  }
}
