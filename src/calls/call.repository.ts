import { EntityRepository } from '@mikro-orm/postgresql';
import { Keyset, type PageRequestOf } from '../common/pagination/keyset.js';
import type { Page } from '../common/pagination/page.dto.js';
import { plainRows, standaloneRows } from '../database/plain-rows.js';
import { statusRankSql, type CallValues } from './call-merge.js';
import type { Call } from './call.entity.js';

/** A Retell webhook event, stored raw with the merge it causes. */
export interface RetellEventRecord {
  event: string;
  dedupeKey: string;
  /** Whether the event is one of a call's lifecycle events (the only ones merged). */
  lifecycle: boolean;
  payload: unknown;
  /** The exact bytes received, kept only when the payload had to be cleaned to be stored. */
  rawBodyHex: string | null;
  anomalies: string[] | null;
}

export interface CallMerge {
  /** The agent the call belongs to, by its Retell id (a webhook names it; our own paths pass the agent's). */
  retellAgentId: string | null;
  values: CallValues;
  /** Set once, when the row is created (our own outbound and web calls). */
  metadata?: Record<string, unknown> | null;
  dynamicVariables?: Record<string, string> | null;
  /** Webhooks: the raw event, stored in the same statement; a duplicate (same dedupe key) changes nothing. */
  event?: RetellEventRecord;
}

export type MergeOutcome = 'applied' | 'unknown_agent' | 'agent_mismatch' | 'ignored' | 'duplicate';

/** Newest first, over the (user_id, created_at, id) index. */
export const CALL_PAGES = new Keyset('desc', { createdAt: { type: 'date', column: 'created_at' }, id: { type: 'number' } });

export interface CallFilters {
  agentId?: number;
  status?: string;
  direction?: string;
  createdFrom?: Date;
  createdTo?: Date;
}

/** The columns a history page shows, as plain values: what `CallResponseDto.fromEntity` reads from a Call. */
export const LIST_FIELDS = [
  'id', 'agent', 'retellCallId', 'callType', 'direction', 'fromNumber', 'toNumber', 'status', 'duration', 'startedAt',
  'endedAt', 'disconnectionReason', 'recordingUrl', 'publicLogUrl', 'callAnalysis', 'callCost', 'metadata',
  'dynamicVariables', 'contact', 'createdAt', 'updatedAt',
] as const;
export type CallListRow = Omit<Pick<Call, (typeof LIST_FIELDS)[number]>, 'agent' | 'contact'> & { agent: { id: number }; contact: { id: number } | null };

export class CallRepository extends EntityRepository<Call> {
  findForOwner(ownerId: number, id: number, withTranscript = false): Promise<Call | null> {
    return this.findOne({ id, user: ownerId }, withTranscript ? { populate: ['transcript', 'transcriptObject'] } : {});
  }

  /** The contact a call shows: the one it was recorded with, else the one now holding the other party's number. */
  async contactIdOf(call: Call): Promise<number | null> {
    if (call.contact) return call.contact.id;
    const number = call.direction === 'outbound' ? call.toNumber : call.fromNumber;
    if (!number) return null;
    const [row] = await this.getEntityManager().execute<{ id: number }[]>('select id from contacts where user_id = ? and phone_number = ?', [call.user.id, number]);
    return row?.id ?? null;
  }

  /**
   * Keyset page, newest first, over the (user_id, created_at, id) index: the cost does not grow with the depth of
   * the page (no OFFSET, no count). One hand-written statement read as plain values through the ORM's connection and
   * mapped to the property names and types `CallResponseDto.fromEntity` reads (as the QueryBuilder mapped them): the
   * QueryBuilder's SQL building and result mapping were ~10% of the app's CPU on this route, and hydrating 51
   * entities per page ~45% before that (both profiled under `npm run bench`). Times leave the database as epoch
   * milliseconds, truncated as the ORM's date parsing truncates microseconds, so the answer is the same to the byte.
   */
  async findPageForOwner(ownerId: number, filters: CallFilters, page: PageRequestOf<typeof CALL_PAGES>): Promise<Page<CallListRow>> {
    const conditions = ['c.user_id = ?'];
    const values: unknown[] = [ownerId];
    const filter = (sql: string, value: unknown) => {
      conditions.push(sql);
      values.push(value);
    };
    if (filters.agentId !== undefined) filter('c.agent_id = ?', filters.agentId);
    if (filters.status !== undefined) filter('c.status = ?', filters.status);
    if (filters.direction !== undefined) filter('c.direction = ?', filters.direction);
    if (filters.createdFrom) filter('c.created_at >= ?', filters.createdFrom.toISOString());
    if (filters.createdTo) filter('c.created_at < ?', filters.createdTo.toISOString());
    const after = CALL_PAGES.afterSql(page, 'c');
    if (after) {
      conditions.push(after.sql);
      values.push(...after.values);
    }
    values.push(CALL_PAGES.fetchSize(page));
    const rows = await plainRows<CallPageRecord>(
      this.getEntityManager(),
      `${CALL_PAGE_SELECT} where ${conditions.join(' and ')} order by ${CALL_PAGES.orderBySql('c')} limit ?`,
      values,
    );
    return CALL_PAGES.page(rows.map(toListRow), page);
  }

  /**
   * The one way a Retell call reaches our row — webhooks, refresh and our own creates — as ONE statement (atomic on
   * its own, one round trip). The call is created under the agent Retell names, or merged into the existing row
   * under that row's lock (ON CONFLICT DO UPDATE): the status only moves forward, timestamps and the disconnection
   * reason are set once, what the event carries overwrites, metadata is set once. A call's owner and agent are fixed
   * at creation: an event naming another agent is recorded as `agent_mismatch` and changes nothing. With `event`,
   * the raw event is inserted under its dedupe key first, and only a new lifecycle event merges.
   */
  async mergeFromRetell(input: CallMerge): Promise<MergeOutcome> {
    const v = {
      ...input.values,
      retell_agent_id: input.retellAgentId,
      metadata: input.metadata ?? null,
      dynamic_variables: input.dynamicVariables ?? null,
      event: input.event?.event ?? null,
      dedupe_key: input.event?.dedupeKey ?? null,
      lifecycle: input.event?.lifecycle ?? true,
      payload: input.event?.payload ?? null,
      raw_body_hex: input.event?.rawBodyHex ?? null,
      anomalies: input.event?.anomalies?.length ? input.event.anomalies : null,
    };
    const [row] = await standaloneRows<{ outcome: MergeOutcome | null }>(this.getEntityManager(), MERGE_SQL, [JSON.stringify(v)]);
    return row?.outcome ?? 'duplicate';
  }
}

/** The number of the call's other party: whom we called, or who called us (web calls have none). */
const OTHER_PARTY = (row: string) => `case when ${row}.direction = 'outbound' then ${row}.to_number else ${row}.from_number end`;

const ms = (column: string) => `floor(extract(epoch from ${column}) * 1000)::float8`;
/**
 * The columns of a history page (LIST_FIELDS). A call recorded before its contact existed gets the contact now
 * holding the number (one index lookup per row).
 */
const CALL_PAGE_SELECT = `
select c.id, c.agent_id as "agentId", c.retell_call_id as "retellCallId", c.call_type as "callType", c.direction,
       c.from_number as "fromNumber", c.to_number as "toNumber", c.status, c.duration,
       ${ms('c.started_at')} as "startedAtMs", ${ms('c.ended_at')} as "endedAtMs", c.disconnection_reason as "disconnectionReason",
       c.recording_url as "recordingUrl", c.public_log_url as "publicLogUrl", c.call_analysis as "callAnalysis",
       c.call_cost as "callCost", c.metadata, c.dynamic_variables as "dynamicVariables",
       coalesce(c.contact_id, (select ct.id from contacts ct where ct.user_id = c.user_id and ct.phone_number = ${OTHER_PARTY('c')})) as "contactId",
       ${ms('c.created_at')} as "createdAtMs", ${ms('c.updated_at')} as "updatedAtMs"
  from calls c`;

type CallPageRecord = Omit<CallListRow, 'agent' | 'contact' | 'startedAt' | 'endedAt' | 'createdAt' | 'updatedAt'> & {
  agentId: number;
  contactId: number | null;
  startedAtMs: number | null;
  endedAtMs: number | null;
  createdAtMs: number;
  updatedAtMs: number;
};

function toListRow(row: CallPageRecord): CallListRow {
  return {
    id: row.id,
    agent: { id: row.agentId },
    retellCallId: row.retellCallId,
    callType: row.callType,
    direction: row.direction,
    fromNumber: row.fromNumber,
    toNumber: row.toNumber,
    status: row.status,
    duration: row.duration,
    startedAt: row.startedAtMs === null ? null : new Date(row.startedAtMs),
    endedAt: row.endedAtMs === null ? null : new Date(row.endedAtMs),
    disconnectionReason: row.disconnectionReason,
    recordingUrl: row.recordingUrl,
    publicLogUrl: row.publicLogUrl,
    callAnalysis: row.callAnalysis,
    callCost: row.callCost,
    metadata: row.metadata,
    dynamicVariables: row.dynamicVariables,
    contact: row.contactId === null ? null : { id: row.contactId },
    createdAt: new Date(row.createdAtMs),
    updatedAt: new Date(row.updatedAtMs),
  };
}

/**
 * `v` is the one jsonb parameter, read by column name. Data-modifying CTEs run to completion whether or not the final
 * SELECT reads them; `merged` runs only for a verdict of `applied` (and, for a webhook, only if its event was new).
 * The agent check is made twice: against the row as the statement found it (for the verdict recorded on the event)
 * and in the DO UPDATE's WHERE against the locked row, so a race cannot re-parent a call either.
 */
const MERGE_SQL = `
with v as (
  select * from jsonb_to_record(?::jsonb) as x(
    retell_call_id varchar, retell_agent_id varchar, call_type varchar, direction varchar, from_number varchar,
    to_number varchar, status varchar, started_at timestamp, ended_at timestamp, duration int,
    disconnection_reason varchar, transcript text, transcript_object jsonb, recording_url text, public_log_url text,
    call_analysis jsonb, call_cost jsonb, metadata jsonb, dynamic_variables jsonb, event varchar, dedupe_key varchar,
    lifecycle boolean, payload jsonb, raw_body_hex text, anomalies jsonb)),
ag as (select a.id, a.user_id from agents a, v where a.retell_agent_id = v.retell_agent_id),
verdict as (
  select case
    when not v.lifecycle then 'ignored'
    when not exists (select 1 from ag) then 'unknown_agent'
    when exists (select 1 from calls c, ag where c.retell_call_id = v.retell_call_id and c.agent_id <> ag.id) then 'agent_mismatch'
    else 'applied' end as outcome
  from v),
ev as (
  insert into retell_webhook_events (event, retell_call_id, dedupe_key, payload, outcome, anomalies, raw_body, received_at)
  select v.event, v.retell_call_id, v.dedupe_key, v.payload, verdict.outcome, v.anomalies, decode(v.raw_body_hex, 'hex'), now()
    from v, verdict
   where v.event is not null
  on conflict (dedupe_key) do nothing
  returning outcome),
merged as (
  insert into calls (agent_id, user_id, retell_call_id, call_type, from_number, to_number, direction, status, started_at,
                     ended_at, duration, disconnection_reason, transcript, transcript_object, recording_url,
                     public_log_url, call_analysis, call_cost, metadata, dynamic_variables, contact_id)
  select ag.id, ag.user_id, v.retell_call_id, v.call_type, v.from_number, v.to_number, v.direction, v.status,
         v.started_at, v.ended_at, coalesce(v.duration, round(extract(epoch from v.ended_at - v.started_at))::int),
         v.disconnection_reason, v.transcript, v.transcript_object, v.recording_url, v.public_log_url, v.call_analysis,
         v.call_cost, v.metadata, v.dynamic_variables,
         (select ct.id from contacts ct where ct.user_id = ag.user_id and ct.phone_number = ${OTHER_PARTY('v')})
    from ag, v
   where (select outcome from verdict) = 'applied'
     and (v.event is null or exists (select 1 from ev))
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
    metadata = coalesce(calls.metadata, excluded.metadata),
    dynamic_variables = coalesce(calls.dynamic_variables, excluded.dynamic_variables),
    contact_id = coalesce(calls.contact_id,
      (select ct.id from contacts ct where ct.user_id = calls.user_id and ct.phone_number = ${OTHER_PARTY('calls')}))
  where calls.agent_id = excluded.agent_id
  returning 1)
select case when (select v.event from v) is null then (select outcome from verdict) else (select outcome from ev) end as outcome`;
