import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { RequestContext } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Agent } from '../agents/agent.entity.js';
import type { RetellCallData } from '../calls/call-merge.js';
import { CallsService } from '../calls/calls.service.js';
import { Clock } from '../common/clock.js';
import { DialSlots, type DialSlot } from '../common/limits/dial-slots.js';
import { campaignsConfig } from '../config/campaigns.config.js';
import { EventsService } from '../events/events.service.js';
import { JobsService, type BackgroundLoop } from '../jobs/jobs.service.js';
import { PassLoop } from '../jobs/pass-loop.js';
import { PhoneNumberRepository } from '../phone-numbers/phone-number.repository.js';
import { RetellFailure, RetellGateway } from '../retell/retell.gateway.js';
import { nextWindowStart } from './calling-windows.js';
import { FINAL_CALL_STATUSES, outcomeOf } from './call-outcome.js';
import type { CampaignSchedule, PauseReason, RetryPolicy } from './campaign.entity.js';
import type { TargetAttempt, TargetOutcome } from './campaign-target.entity.js';
import { CampaignsService } from './campaigns.service.js';

/** At most this many dials are started by one pass of one instance (the rest wait for the next pass). */
const MAX_DIALS_PER_PASS = 50;
/** At most this many dials of one instance wait for Retell at once. */
const MAX_DIALS_IN_FLIGHT = 200;
/** While campaigns wait for lines, how often the dialer looks again (lines free up as calls end). */
const BUSY_INTERVAL_MS = 25;
/** Targets looked at per claim: the first one inside its window is dialled, the others are deferred or skipped. */
const CLAIM_SCAN = 25;
const SETTLE_BATCH = 500;
const RECONCILE_BATCH = 50;
/** How long a recorded call may go without reaching a final status before its target pulls it from Retell. */
const CALL_CHECK_SECONDS = 600;
/** A refused dial (Retell's concurrency limit, a 5xx) is tried again after this long, as the same attempt. */
const REFUSED_BACKOFF_MS = 2_000;

interface DueCampaign {
  id: number;
  userId: number;
  room: number;
  due: number;
  lastDialledAt: number;
}

/** An attempt written before its dial: everything the dial needs. */
interface Attempt {
  targetId: number;
  campaignId: number;
  userId: number;
  agentId: number;
  attempt: number;
  key: string;
  slot: DialSlot | null;
  toNumber: string;
  fromNumber: string | null;
  variables: Record<string, string> | undefined;
}

type Row = Record<string, unknown>;

/**
 * The campaign dialer: a loop on worker instances (APP_ROLE all or worker), started and stopped by the job engine.
 * Each pass, in short statements and transactions (no transaction is open while Retell is asked):
 * 1. scheduled campaigns whose `startAt` has come start (`campaign.started`);
 * 2. attempts whose call reached a final status (our `calls` rows, merged from Retell's webhooks) are settled: the
 *    outcome from `disconnection_reason` (call-outcome.ts), a retry after `delayMinutes` when the policy names it and
 *    attempts remain, else the target is done;
 * 3. attempts whose lease ran out are reconciled: with no call recorded, the same idempotency key is sent again
 *    (Retell answers with the call it made for it, or makes the one call the attempt stands for); with a call that
 *    never finished, the call is pulled from Retell;
 * 4. free lines are handed out round-robin between tenants (then between a tenant's campaigns), each dial taking a
 *    DialSlot (user, workspace and minutes limits, atomic across instances) and respecting the campaign's
 *    `maxConcurrency` under a row lock on the campaign;
 * 5. running campaigns with nothing left pending or under way complete (`campaign.completed`).
 */
@Injectable()
export class CampaignDialer implements BackgroundLoop {
  private readonly logger = new Logger('CampaignDialer');
  private readonly loop = new PassLoop({
    name: 'dialer',
    logger: this.logger,
    pass: async () => ((await this.pass()) > 0 ? 0 : this.idleMs()),
    retryMs: () => this.idleMs(),
  });
  /** Dials started by this instance and not finished: not awaited by the pass (so it goes on), awaited by stop(). */
  private readonly dials = new Set<Promise<void>>();
  /** Whether the last pass saw running campaigns waiting for lines or calls under way. */
  private busy = false;

  constructor(
    jobs: JobsService,
    private readonly em: EntityManager,
    private readonly slots: DialSlots,
    private readonly gateway: RetellGateway,
    private readonly calls: CallsService,
    private readonly campaigns: CampaignsService,
    private readonly events: EventsService,
    private readonly numbers: PhoneNumberRepository,
    private readonly clock: Clock,
    @Inject(campaignsConfig.KEY) private readonly config: ConfigType<typeof campaignsConfig>,
  ) {
    jobs.registerLoop(this);
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await Promise.allSettled([...this.dials]);
  }

  /** The sleep after a pass with nothing to do: short while campaigns wait for lines or calls are under way. */
  private idleMs(): number {
    return this.busy ? Math.min(BUSY_INTERVAL_MS, this.config.dialerIntervalMs) : this.config.dialerIntervalMs;
  }

  /** One pass; returns how much it did (0: nothing to do, the loop sleeps). */
  async pass(): Promise<number> {
    return RequestContext.create(this.em.fork(), async () => {
      // The first four touch disjoint rows (scheduled campaigns; dialling targets with a final call; dialling targets
      // with an expired lease; pending targets), so they run side by side and a pass is as long as its slowest part.
      const parts = await Promise.all([this.activateScheduled(), this.settle(), this.reconcile(), this.dispatch()]);
      return parts.reduce((a, b) => a + b, 0) + (await this.complete());
    });
  }

  // ---- 1. scheduled → running ---------------------------------------------------------------------------------------

  private async activateScheduled(): Promise<number> {
    const now = this.clock.now().toISOString();
    // A plain read first: most passes find nothing, and then open no transaction.
    const due = await sql(this.em.fork(), `select 1 from campaigns where status = 'scheduled' and (schedule->>'startAt')::timestamptz <= ?::timestamptz limit 1`, [now]);
    if (due.length === 0) return 0;
    return this.em.fork().transactional(async (em) => {
      const rows = await sql<{ id: number; user_id: number }>(
        em,
        `update campaigns set status = 'running', started_at = coalesce(started_at, ?), updated_at = ?
          where status = 'scheduled' and (schedule->>'startAt')::timestamptz <= ?::timestamptz
          returning id, user_id`,
        [now, now, now],
      );
      for (const row of rows) await this.recordEvent(em, row.user_id, row.id, 'campaign.started');
      return rows.length;
    });
  }

  // ---- 2. finished calls → outcome, retry or done -------------------------------------------------------------------

  private async settle(): Promise<number> {
    const now = this.clock.now();
    const finished = await sql(
      this.em.fork(),
      `select 1 from campaign_targets t join calls c on c.id = t.call_id
        where t.status = 'dialling' and c.status in (select jsonb_array_elements_text(?::jsonb)) limit 1`,
      [JSON.stringify(FINAL_CALL_STATUSES)],
    );
    if (finished.length === 0) return 0;
    return this.em.fork().transactional(async (em) => {
      const rows = await sql<{
        id: number;
        attempts: number;
        call_id: number;
        call_status: string;
        disconnection_reason: string | null;
        retry: RetryPolicy;
        campaign_status: string;
      }>(
        em,
        `select t.id, t.attempts, t.call_id, c.status as call_status, c.disconnection_reason, k.retry, k.status as campaign_status
           from campaign_targets t
           join calls c on c.id = t.call_id
           join campaigns k on k.id = t.campaign_id
          where t.status = 'dialling' and c.status in (select jsonb_array_elements_text(?::jsonb))
          order by t.id limit ? for update of t skip locked`,
        [JSON.stringify(FINAL_CALL_STATUSES), SETTLE_BATCH],
      );
      if (rows.length === 0) return 0;
      const updates = rows.map((row) => {
        const outcome = outcomeOf(row.call_status, row.disconnection_reason);
        const entry: TargetAttempt = { attempt: row.attempts, callId: row.call_id, outcome, disconnectionReason: row.disconnection_reason, at: now.toISOString() };
        const retry =
          row.campaign_status !== 'cancelled' &&
          (row.retry.on as string[]).includes(outcome) &&
          row.attempts < row.retry.maxAttempts;
        return {
          id: row.id,
          status: retry ? 'pending' : 'done',
          outcome: retry ? null : outcome,
          next_attempt_at: retry ? new Date(now.getTime() + row.retry.delayMinutes * 60_000).toISOString() : null,
          entry: [entry],
        };
      });
      await sql(
        em,
        `update campaign_targets t
            set status = v.status, outcome = v.outcome, next_attempt_at = coalesce(v.next_attempt_at, t.next_attempt_at),
                history = t.history || v.entry, attempt_key = null, slot_id = null, call_id = null, lease_until = null, updated_at = ?
           from jsonb_to_recordset(?::jsonb) as v(id int, status text, outcome text, next_attempt_at timestamp, entry jsonb)
          where t.id = v.id`,
        [now.toISOString(), JSON.stringify(updates)],
      );
      return rows.length;
    });
  }

  // ---- 3. attempts whose instance died or whose call went quiet -----------------------------------------------------

  private async reconcile(): Promise<number> {
    const realNow = Date.now();
    // One statement claims the expired attempts (a new lease), so two instances never reconcile the same one.
    const rows = await sql<Row>(
      this.em.fork(),
      `update campaign_targets set lease_until = ?
        where id in (select id from campaign_targets where status = 'dialling' and lease_until < ?
                      order by lease_until limit ? for update skip locked)
        returning id, campaign_id, user_id, attempts, attempt_key, slot_id, call_id`,
      [new Date(realNow + this.config.dialerLeaseSeconds * 1000).toISOString(), new Date(realNow).toISOString(), RECONCILE_BATCH],
    );
    await Promise.all(
      rows.map(async (row) => {
        try {
          if (row.call_id !== null) await this.checkCall(row.call_id as number, row.user_id as number);
          else await this.redial(row);
        } catch (error) {
          this.logger.warn({ msg: 'could not reconcile a campaign attempt; tried again after its lease', targetId: row.id, error: (error as Error).message });
        }
      }),
    );
    return rows.length;
  }

  /** A recorded call that never reached a final status here (a webhook lost): its state from Retell. */
  private async checkCall(callId: number, ownerId: number): Promise<void> {
    await this.calls.refresh(ownerId, callId);
    const realNow = Date.now();
    await sql(this.em.fork(), `update campaign_targets set lease_until = ? where call_id = ? and status = 'dialling'`, [
      new Date(realNow + CALL_CHECK_SECONDS * 1000).toISOString(),
      callId,
    ]);
  }

  /** The attempt's dial, again with the SAME key: Retell dials nothing new if the first one reached it. */
  private async redial(row: Row): Promise<void> {
    const [details] = await sql<Row>(
      this.em.fork(),
      `select k.agent_id, k.from_number, k.dynamic_variables as campaign_variables, ct.phone_number as contact_number,
              ct.dynamic_variables as contact_variables, t.phone_number
         from campaign_targets t join campaigns k on k.id = t.campaign_id left join contacts ct on ct.id = t.contact_id
        where t.id = ?`,
      [row.id],
    );
    if (!details) return;
    await this.dial({
      targetId: row.id as number,
      campaignId: row.campaign_id as number,
      userId: row.user_id as number,
      agentId: details.agent_id as number,
      attempt: row.attempts as number,
      key: row.attempt_key as string,
      slot: row.slot_id === null ? null : { id: row.slot_id as number },
      toNumber: (details.contact_number ?? details.phone_number) as string,
      fromNumber: details.from_number as string | null,
      variables: mergeVariables(details.campaign_variables, details.contact_variables),
    });
  }

  // ---- 4. free lines → dials, fairly between tenants -------------------------------------------------------------

  private async dispatch(): Promise<number> {
    const now = this.clock.now().toISOString();
    const rows = await sql<{ id: number; user_id: number; max_concurrency: number | null; live: number; due: number; last_dialled_at: Date | null }>(
      this.em.fork(),
      `select k.id, k.user_id, k.max_concurrency, k.last_dialled_at,
              (select count(*) from campaign_targets t where t.campaign_id = k.id and t.status = 'dialling')::int as live,
              (select count(*) from (select 1 from campaign_targets t where t.campaign_id = k.id and t.status = 'pending'
                                        and t.next_attempt_at <= ? limit ?) d)::int as due
         from campaigns k where k.status = 'running'`,
      [now, MAX_DIALS_PER_PASS],
    );
    this.busy = rows.some((row) => row.due > 0 || row.live > 0);
    if (!rows.some((row) => row.due > 0)) return 0;
    const usage = await this.slots.usage();
    const free = Math.min(usage.workspaceLimit - usage.workspaceLive, MAX_DIALS_PER_PASS, MAX_DIALS_IN_FLIGHT - this.dials.size);
    if (free <= 0) return 0;
    const plan = planRound(
      rows.map((row) => ({
        id: row.id,
        userId: row.user_id,
        room: row.max_concurrency === null ? Infinity : row.max_concurrency - row.live,
        due: row.due,
        lastDialledAt: row.last_dialled_at ? new Date(row.last_dialled_at).getTime() : 0,
      })),
      free,
    );
    if (plan.length === 0) return 0;
    // The round's lines are asked for in its order, all at once: DialSlots serialises acquires under one advisory
    // lock, which PostgreSQL grants in the order asked, so a freed line still goes to the tenant whose turn it is,
    // and the round trips of the acquires overlap instead of adding up.
    const shares = new Map<number, { campaign: DueCampaign; slots: DialSlot[] }>();
    const acquired = await Promise.all(plan.map((campaign) => this.slots.acquire(campaign.userId, { campaignId: campaign.id })));
    const capped = new Set<number>();
    let work = 0;
    for (const [i, campaign] of plan.entries()) {
      const answer = acquired[i]!;
      if ('refused' in answer) {
        if (answer.refused.reason === 'minutes_cap' && !capped.has(campaign.userId)) {
          capped.add(campaign.userId);
          work += await this.pauseAll(campaign.userId, 'minutes_cap');
        }
        continue;
      }
      const share = shares.get(campaign.id) ?? { campaign, slots: [] };
      share.slots.push(answer.slot);
      shares.set(campaign.id, share);
    }
    // Each campaign's share is claimed in ONE transaction (its row lock serialises claims), the campaigns side by side.
    const results = await Promise.all(
      [...shares.values()].map(async ({ campaign, slots }) => {
        try {
          return await this.dialShare(campaign, slots);
        } catch (error) {
          this.logger.error({ msg: 'campaign dial failed', campaignId: campaign.id, error: (error as Error).message });
          return 0;
        }
      }),
    );
    return results.reduce((a, b) => a + b, work);
  }

  /**
   * Claims as many of the campaign's due targets in their windows as it holds lines (writing their attempts), gives
   * back the lines it could not use (a minutes-cap pause, a paused campaign, targets outside their windows), then
   * starts the dials without waiting for them: the pass goes on while Retell answers.
   */
  private async dialShare(campaign: DueCampaign, slots: DialSlot[]): Promise<number> {
    let claimed: { attempts: Attempt[]; work: number };
    try {
      claimed = await this.claim(campaign.id, slots);
    } catch (error) {
      await Promise.all(slots.map((slot) => this.slots.release(slot)));
      throw error;
    }
    await Promise.all(slots.slice(claimed.attempts.length).map((slot) => this.slots.release(slot)));
    for (const attempt of claimed.attempts) {
      const dial = RequestContext.create(this.em.fork(), () => this.dial(attempt))
        .catch((error: Error) => this.logger.error({ msg: 'campaign dial failed; its lease reconciles it', targetId: attempt.targetId, error: error.message }))
        .finally(() => this.dials.delete(dial));
      this.dials.add(dial);
    }
    return claimed.work + claimed.attempts.length;
  }

  /**
   * In one short transaction, under a lock on the campaign row (so `maxConcurrency` holds across instances): the
   * campaign's due targets in order; do-not-call and deleted contacts are skipped, targets outside their window get
   * `next_attempt_at` = the window's next opening, and the first ones inside their window (one per slot, within the
   * campaign's room) get their attempts written — number, idempotency key, slot, lease — before any dial.
   */
  private async claim(campaignId: number, slots: DialSlot[]): Promise<{ attempts: Attempt[]; work: number }> {
    const now = this.clock.now();
    const at = now.toISOString();
    return this.em.fork().transactional(async (em) => {
      const [campaign] = await sql<{ user_id: number; agent_id: number; status: string; max_concurrency: number | null; from_number: string | null; schedule: CampaignSchedule; dynamic_variables: Record<string, string> | null }>(
        em,
        `select user_id, agent_id, status, max_concurrency, from_number, schedule, dynamic_variables from campaigns where id = ? for update`,
        [campaignId],
      );
      if (!campaign || campaign.status !== 'running') return { attempts: [], work: 0 };
      let room = slots.length;
      if (campaign.max_concurrency !== null) {
        const [{ live }] = (await sql<{ live: number }>(em, `select count(*)::int as live from campaign_targets where campaign_id = ? and status = 'dialling'`, [campaignId])) as [{ live: number }];
        room = Math.min(room, campaign.max_concurrency - live);
        if (room <= 0) return { attempts: [], work: 0 };
      }
      const candidates = await sql<{ id: number; attempts: number; contact_id: number | null; phone_number: string | null; timezone: string | null; dynamic_variables: Record<string, string> | null; do_not_call: boolean | null }>(
        em,
        `select t.id, t.attempts, t.contact_id, ct.phone_number, ct.timezone, ct.dynamic_variables, ct.do_not_call
           from campaign_targets t left join contacts ct on ct.id = t.contact_id
          where t.campaign_id = ? and t.status = 'pending' and t.next_attempt_at <= ?
          order by t.next_attempt_at, t.id limit ? for update of t skip locked`,
        [campaignId, at, room + CLAIM_SCAN],
      );
      const skipped: Array<{ id: number; outcome: TargetOutcome }> = [];
      const deferred: Array<{ id: number; next_attempt_at: string }> = [];
      const chosen: Array<(typeof candidates)[number]> = [];
      for (const target of candidates) {
        if (chosen.length >= room) break;
        if (target.contact_id === null) {
          skipped.push({ id: target.id, outcome: 'contact_deleted' });
          continue;
        }
        if (target.do_not_call) {
          skipped.push({ id: target.id, outcome: 'do_not_call' });
          continue;
        }
        const opens = nextWindowStart(now, target.timezone ?? campaign.schedule.timezone, campaign.schedule.windows);
        if (!opens || opens.getTime() > now.getTime()) {
          // Windows are validated to open every week; `null` cannot happen, but would retry in a day.
          deferred.push({ id: target.id, next_attempt_at: (opens ?? new Date(now.getTime() + 86_400_000)).toISOString() });
          continue;
        }
        chosen.push(target);
      }
      if (skipped.length > 0) {
        await sql(
          em,
          `update campaign_targets t set status = 'skipped', outcome = v.outcome, updated_at = ?
             from jsonb_to_recordset(?::jsonb) as v(id int, outcome text) where t.id = v.id`,
          [at, JSON.stringify(skipped)],
        );
      }
      if (deferred.length > 0) {
        await sql(
          em,
          `update campaign_targets t set next_attempt_at = v.next_attempt_at, updated_at = ?
             from jsonb_to_recordset(?::jsonb) as v(id int, next_attempt_at timestamp) where t.id = v.id`,
          [at, JSON.stringify(deferred)],
        );
      }
      const work = skipped.length + deferred.length;
      if (chosen.length === 0) return { attempts: [], work };
      const leaseUntil = new Date(Date.now() + this.config.dialerLeaseSeconds * 1000).toISOString();
      // Retell: 5–255 of [A-Za-z0-9_-], kept an hour; a new key for each attempt.
      const attempts = chosen.map((target, i) => ({ target, slot: slots[i]!, key: `c${campaignId}-t${target.id}-${randomUUID()}` }));
      await sql(
        em,
        `update campaign_targets t set status = 'dialling', attempts = t.attempts + 1, attempt_key = v.key, slot_id = v.slot_id,
                lease_until = ?, call_id = null, updated_at = ?
           from jsonb_to_recordset(?::jsonb) as v(id int, key text, slot_id int) where t.id = v.id`,
        [leaseUntil, at, JSON.stringify(attempts.map(({ target, slot, key }) => ({ id: target.id, key, slot_id: slot.id })))],
      );
      await sql(em, `update campaigns set last_dialled_at = ? where id = ?`, [new Date().toISOString(), campaignId]);
      return {
        work,
        attempts: attempts.map(({ target, slot, key }) => ({
          targetId: target.id,
          campaignId,
          userId: campaign.user_id,
          agentId: campaign.agent_id,
          attempt: target.attempts + 1,
          key,
          slot,
          toNumber: target.phone_number!,
          fromNumber: campaign.from_number,
          variables: mergeVariables(campaign.dynamic_variables, target.dynamic_variables),
        })),
      };
    });
  }

  /**
   * The dial of a written attempt (first time or reconciled), with its idempotency key. Recorded through the calls'
   * one merge; the slot is attached to the call (it frees itself when the call ends). A refusal from Retell dialled
   * nothing: the slot is released and the attempt undone (tried again shortly, or failed for a number Retell refuses).
   * No answer from Retell (time-out, network) may have dialled: the attempt stays as written, and its lease's expiry
   * reconciles it with the same key.
   */
  private async dial(attempt: Attempt): Promise<void> {
    const em = this.em.fork();
    const agent = await em.findOne(Agent, { id: attempt.agentId });
    const from = attempt.fromNumber ?? (await this.numbers.findDefaultForAgent(attempt.agentId))?.phoneNumber;
    if (!agent || !from) {
      await this.undo(attempt, REFUSED_BACKOFF_MS);
      await this.pauseCampaign(attempt.campaignId, 'no_phone_number');
      return;
    }
    let created: RetellCallData;
    try {
      created = (await this.gateway.placePhoneCall(
        {
          from_number: from,
          to_number: attempt.toNumber,
          override_agent_id: agent.retellAgentId,
          retell_llm_dynamic_variables: attempt.variables,
          metadata: { app: { user_id: attempt.userId, agent_id: attempt.agentId }, client: { campaign_id: attempt.campaignId, campaign_target_id: attempt.targetId } },
        },
        { idempotencyKey: attempt.key },
      )) as RetellCallData;
    } catch (error) {
      if (error instanceof RetellFailure && error.retellStatus !== undefined) {
        if (error.retellStatus === 400 || error.retellStatus === 422) await this.fail(attempt, error.message);
        else await this.undo(attempt, REFUSED_BACKOFF_MS);
        return;
      }
      this.logger.warn({ msg: 'no answer from Retell for a campaign dial; reconciled with the same key after the lease', targetId: attempt.targetId, error: (error as Error).message });
      return;
    }
    const call = await this.calls.record(agent, created, {
      dynamicVariables: attempt.variables,
      metadata: { campaign_id: attempt.campaignId, campaign_target_id: attempt.targetId },
    });
    await sql(em, `update campaign_targets set call_id = ?, lease_until = ? where id = ? and attempt_key = ?`, [
      call.id,
      new Date(Date.now() + CALL_CHECK_SECONDS * 1000).toISOString(),
      attempt.targetId,
      attempt.key,
    ]);
    if (attempt.slot) await this.slots.attach(attempt.slot, call.id);
  }

  /** Nothing was dialled: the attempt is taken back (same number of attempts as before), the slot released. */
  private async undo(attempt: Attempt, backoffMs: number): Promise<void> {
    if (attempt.slot) await this.slots.release(attempt.slot);
    await sql(
      this.em.fork(),
      `update campaign_targets set status = 'pending', attempts = attempts - 1, attempt_key = null, slot_id = null, lease_until = null,
              next_attempt_at = ?, updated_at = ? where id = ? and attempt_key = ?`,
      [new Date(this.clock.now().getTime() + backoffMs).toISOString(), this.clock.now().toISOString(), attempt.targetId, attempt.key],
    );
  }

  /** Retell refused the number itself (a 400/422): never retried. */
  private async fail(attempt: Attempt, reason: string): Promise<void> {
    if (attempt.slot) await this.slots.release(attempt.slot);
    const entry: TargetAttempt = { attempt: attempt.attempt, callId: null, outcome: 'failed', disconnectionReason: null, at: this.clock.now().toISOString() };
    this.logger.warn({ msg: 'Retell refused a campaign dial', targetId: attempt.targetId, reason });
    await sql(
      this.em.fork(),
      `update campaign_targets set status = 'done', outcome = 'failed', attempt_key = null, slot_id = null, lease_until = null,
              history = history || ?::jsonb, updated_at = ? where id = ? and attempt_key = ?`,
      [JSON.stringify([entry]), this.clock.now().toISOString(), attempt.targetId, attempt.key],
    );
  }

  private async pauseAll(userId: number, reason: PauseReason): Promise<number> {
    return this.em.fork().transactional(async (em) => {
      const rows = await sql<{ id: number }>(
        em,
        `update campaigns set status = 'paused', pause_reason = ?, updated_at = ? where user_id = ? and status in ('running', 'scheduled') returning id`,
        [reason, this.clock.now().toISOString(), userId],
      );
      for (const row of rows) await this.recordEvent(em, userId, row.id, 'campaign.paused');
      if (rows.length > 0) this.logger.log({ msg: 'campaigns paused', userId, reason, campaigns: rows.length });
      return rows.length;
    });
  }

  private async pauseCampaign(campaignId: number, reason: PauseReason): Promise<void> {
    await this.em.fork().transactional(async (em) => {
      const rows = await sql<{ user_id: number }>(
        em,
        `update campaigns set status = 'paused', pause_reason = ?, updated_at = ? where id = ? and status = 'running' returning user_id`,
        [reason, this.clock.now().toISOString(), campaignId],
      );
      if (rows[0]) await this.recordEvent(em, rows[0].user_id, campaignId, 'campaign.paused');
    });
  }

  // ---- 5. running → completed ---------------------------------------------------------------------------------------

  private async complete(): Promise<number> {
    const now = this.clock.now().toISOString();
    const finished = `k.status = 'running'
            and not exists (select 1 from campaign_targets t where t.campaign_id = k.id and t.status = 'pending')
            and not exists (select 1 from campaign_targets t where t.campaign_id = k.id and t.status = 'dialling')`;
    // A plain read first: most passes find nothing, and then open no transaction.
    if ((await sql(this.em.fork(), `select 1 from campaigns k where ${finished} limit 1`, [])).length === 0) return 0;
    return this.em.fork().transactional(async (em) => {
      const rows = await sql<{ id: number; user_id: number }>(
        em,
        `update campaigns k set status = 'completed', completed_at = ?, updated_at = ? where ${finished} returning id, user_id`,
        [now, now],
      );
      for (const row of rows) await this.recordEvent(em, row.user_id, row.id, 'campaign.completed');
      return rows.length;
    });
  }

  /** The event, with what `GET /campaigns/:id` returns at that moment, in the caller's transaction. */
  private async recordEvent(em: EntityManager, ownerId: number, campaignId: number, type: 'campaign.started' | 'campaign.paused' | 'campaign.completed'): Promise<void> {
    const dto = await this.campaigns.get(ownerId, campaignId, em);
    await this.events.record(em, ownerId, type, dto, { agentId: dto.agentId });
  }
}

/**
 * The lines of one pass, handed out round-robin: each tenant in turn (the one dialled least recently first) gets one
 * line for one of its campaigns (again least recently dialled first), while the campaign has room under its
 * `maxConcurrency` and due targets. A tenant with 10 targets gets a line in the first round however many targets
 * another tenant has.
 */
export function planRound(campaigns: DueCampaign[], free: number): DueCampaign[] {
  const byUser = new Map<number, DueCampaign[]>();
  for (const campaign of campaigns) {
    if (campaign.due <= 0 || campaign.room <= 0) continue;
    const list = byUser.get(campaign.userId) ?? [];
    list.push({ ...campaign });
    byUser.set(campaign.userId, list);
  }
  const users = [...byUser.entries()]
    .map(([userId, list]) => {
      list.sort((a, b) => a.lastDialledAt - b.lastDialledAt || a.id - b.id);
      return { userId, list, last: Math.min(...list.map((c) => c.lastDialledAt)) };
    })
    .sort((a, b) => a.last - b.last || a.userId - b.userId);
  const plan: DueCampaign[] = [];
  let progress = true;
  while (plan.length < free && progress) {
    progress = false;
    for (const user of users) {
      if (plan.length >= free) break;
      const campaign = user.list.find((c) => c.due > 0 && c.room > 0);
      if (!campaign) continue;
      plan.push(campaign);
      campaign.due--;
      campaign.room--;
      // The next round gives this tenant's next campaign its turn.
      user.list.push(...user.list.splice(user.list.indexOf(campaign), 1));
      progress = true;
    }
  }
  return plan;
}

/** The campaign's variables, then the contact's (the contact's win). */
export function mergeVariables(campaign: unknown, contact: unknown): Record<string, string> | undefined {
  const merged = { ...((campaign as Record<string, string> | null) ?? {}), ...((contact as Record<string, string> | null) ?? {}) };
  return Object.keys(merged).length > 0 ? merged : undefined;
}

async function sql<T = Row>(em: EntityManager, query: string, params: unknown[]): Promise<T[]> {
  return em.getConnection().execute<T[]>(query, params, 'all', em.getTransactionContext());
}
