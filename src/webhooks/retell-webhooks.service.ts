import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import Retell from 'retell-sdk';
import { statusFor, statusRankSql, type RetellCallData } from '../calls/call-merge.js';
import { sha256Hex } from '../common/crypto/sha256.js';
import { ApiException } from '../common/errors/app-exceptions.js';
import { RetellConnection } from '../retell/retell-client.provider.js';
import type { WebhookEventOutcome } from './webhook-event.entity.js';

/** Events that happen once per call: a second copy is a duplicate (Retell staff: dedupe on call_id + event). */
const LIFECYCLE = new Set(['call_started', 'call_ended', 'call_analyzed']);

interface WebhookPayload {
  event: string;
  call?: RetellCallData;
}

@Injectable()
export class RetellWebhooksService {
  private readonly logger = new Logger('RetellWebhooks');

  constructor(
    private readonly em: EntityManager,
    private readonly connection: RetellConnection,
  ) {}

  /** Retell's scheme: HMAC-SHA256 over the raw body + timestamp, keyed with the API key; at most 5 minutes old. */
  async verify(rawBody: Buffer | undefined, signature: string | undefined): Promise<void> {
    const valid =
      rawBody !== undefined &&
      typeof signature === 'string' &&
      signature.length <= 200 &&
      (await Retell.verify(rawBody.toString('utf8'), this.connection.apiKey, signature).catch(() => false));
    if (!valid) throw new ApiException(401, 'Missing or invalid x-retell-signature');
  }

  /**
   * Stores the event and applies it to its call in ONE statement (atomic on its own: no BEGIN/COMMIT, one round
   * trip): the raw event is inserted under its dedupe key, and only if it was new is the call upserted — created under
   * the agent that Retell's agent id names, or merged into the existing row under that row's lock (ON CONFLICT DO
   * UPDATE), with the same rules as `mergeRetellCall`: the status only moves forward, timestamps and the disconnection
   * reason are set once, and what the event carries overwrites. `npm run bench` measured the previous
   * transaction (10 statements) at a fraction of this throughput. A failure stores nothing and the 5xx makes Retell
   * retry; a duplicate is recognised by its dedupe key and changes nothing.
   */
  async ingest(body: unknown, rawBody: Buffer): Promise<WebhookEventOutcome | 'duplicate'> {
    const payload = parse(body);
    const call = payload.call;
    const callId = call?.call_id ?? null;
    const lifecycle = call !== undefined && LIFECYCLE.has(payload.event);
    const dedupeKey = lifecycle
      ? `${callId}:${payload.event}`
      : `${callId ?? '-'}:${payload.event}:${sha256Hex(rawBody)}`;
    const json = (value: unknown) => (value && typeof value === 'object' ? JSON.stringify(value) : null);
    const time = (ms: number | undefined) => (typeof ms === 'number' && Number.isFinite(ms) ? new Date(ms).toISOString() : null);

    const [row] = await this.em.execute<{ outcome: WebhookEventOutcome | null }[]>(INGEST_SQL, [
      callId,
      call?.agent_id ?? null,
      payload.event,
      dedupeKey,
      JSON.stringify(body),
      lifecycle,
      call?.call_type === 'web_call' ? 'web_call' : 'phone_call',
      call?.from_number ?? null,
      call?.to_number ?? null,
      call?.direction === 'outbound' ? 'outbound' : 'inbound',
      (call && statusFor(payload.event, call)) ?? 'registered',
      time(call?.start_timestamp),
      time(call?.end_timestamp),
      typeof call?.duration_ms === 'number' ? Math.round(call.duration_ms / 1000) : null,
      call?.disconnection_reason?.slice(0, 64) ?? null,
      call?.transcript || null,
      Array.isArray(call?.transcript_object) && call.transcript_object.length > 0 ? JSON.stringify(call.transcript_object) : null,
      call?.recording_url || null,
      call?.public_log_url || null,
      json(call?.call_analysis),
      json(call?.call_cost),
    ]);
    const outcome = row?.outcome ?? 'duplicate';
    if (outcome === 'unknown_agent') {
      this.logger.warn({ msg: 'webhook for an agent we do not know; kept, not applied', event: payload.event, retellCallId: callId });
    }
    return outcome;
  }
}

/**
 * One statement for a verified webhook. `v` holds the event's values (parameters in this order: call id, Retell agent
 * id, event, dedupe key, payload, lifecycle event with a call?, call type, from, to, direction, the status the event
 * implies, start and end as UTC ISO strings, duration from `duration_ms`, disconnection reason, transcript, transcript
 * object, recording URL, public log URL, analysis, cost). Data-modifying CTEs run to completion whether or not the
 * final SELECT reads them; `merged` runs only when `ev` inserted a new lifecycle event for a known agent.
 */
const INGEST_SQL = `
with v as (
  select ?::varchar as retell_call_id, ?::varchar as retell_agent_id, ?::varchar as event, ?::varchar as dedupe_key,
         ?::jsonb as payload, ?::boolean as lifecycle, ?::varchar as call_type, ?::varchar as from_number,
         ?::varchar as to_number, ?::varchar as direction, ?::varchar as status, ?::timestamp as started_at,
         ?::timestamp as ended_at, ?::int as duration, ?::varchar as disconnection_reason, ?::text as transcript,
         ?::jsonb as transcript_object, ?::text as recording_url, ?::text as public_log_url, ?::jsonb as call_analysis,
         ?::jsonb as call_cost),
ag as (select a.id, a.user_id from agents a, v where a.retell_agent_id = v.retell_agent_id),
ev as (
  insert into retell_webhook_events (event, retell_call_id, dedupe_key, payload, outcome, received_at)
  select v.event, v.retell_call_id, v.dedupe_key, v.payload,
         case when not v.lifecycle then 'ignored' when exists (select 1 from ag) then 'applied' else 'unknown_agent' end, now()
    from v
  on conflict (dedupe_key) do nothing
  returning outcome),
merged as (
  insert into calls (agent_id, user_id, retell_call_id, call_type, from_number, to_number, direction, status, started_at,
                     ended_at, duration, disconnection_reason, transcript, transcript_object, recording_url,
                     public_log_url, call_analysis, call_cost)
  select ag.id, ag.user_id, v.retell_call_id, v.call_type, v.from_number, v.to_number, v.direction, v.status,
         v.started_at, v.ended_at, coalesce(v.duration, round(extract(epoch from v.ended_at - v.started_at))::int),
         v.disconnection_reason, v.transcript, v.transcript_object, v.recording_url, v.public_log_url, v.call_analysis,
         v.call_cost
    from ag, v
   where exists (select 1 from ev where outcome = 'applied')
  on conflict (retell_call_id) do update set
    status = case when ${statusRankSql('excluded.status')} > ${statusRankSql('calls.status')} then excluded.status else calls.status end,
    started_at = coalesce(calls.started_at, excluded.started_at),
    ended_at = coalesce(calls.ended_at, excluded.ended_at),
    duration = coalesce((select duration from v), calls.duration,
      round(extract(epoch from coalesce(calls.ended_at, excluded.ended_at) - coalesce(calls.started_at, excluded.started_at)))::int),
    disconnection_reason = coalesce(calls.disconnection_reason, excluded.disconnection_reason),
    transcript = coalesce(excluded.transcript, calls.transcript),
    transcript_object = coalesce(excluded.transcript_object, calls.transcript_object),
    recording_url = coalesce(excluded.recording_url, calls.recording_url),
    public_log_url = coalesce(excluded.public_log_url, calls.public_log_url),
    call_analysis = coalesce(excluded.call_analysis, calls.call_analysis),
    call_cost = coalesce(excluded.call_cost, calls.call_cost),
    agent_id = excluded.agent_id
  returning 1)
select (select outcome from ev) as outcome`;

/** Retell's payloads are untrusted input too: the shape is checked before anything is stored. */
function parse(body: unknown): WebhookPayload {
  const invalid = (why: string) => new ApiException(400, `Malformed webhook payload: ${why}`);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('not a JSON object');
  const { event, call } = body as { event?: unknown; call?: unknown };
  if (typeof event !== 'string' || !/^[a-z_]{1,50}$/.test(event)) throw invalid('event');
  if (call === undefined) return { event };
  if (typeof call !== 'object' || call === null) throw invalid('call');
  const { call_id, agent_id } = call as { call_id?: unknown; agent_id?: unknown };
  if (typeof call_id !== 'string' || call_id.length === 0 || call_id.length > 100) throw invalid('call.call_id');
  if (agent_id !== undefined && typeof agent_id !== 'string') throw invalid('call.agent_id');
  return { event, call: call as RetellCallData };
}
