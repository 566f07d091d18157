import type { Call } from './call.entity.js';

/** The part of Retell's call object (get-call, webhooks, create responses) that we keep. */
export interface RetellCallData {
  call_id: string;
  agent_id?: string;
  call_type?: string;
  call_status?: string;
  direction?: string;
  from_number?: string;
  to_number?: string;
  start_timestamp?: number;
  end_timestamp?: number;
  duration_ms?: number;
  disconnection_reason?: string;
  transcript?: string;
  transcript_object?: unknown[];
  recording_url?: string;
  public_log_url?: string;
  call_analysis?: Record<string, unknown>;
  call_cost?: Record<string, unknown>;
}

/** Lifecycle order: a status only ever moves forward, whatever order the events arrive in. */
const RANK: Record<string, number> = { registered: 0, ongoing: 1, ended: 2, not_connected: 2, error: 2 };
const TERMINAL = new Set(['ended', 'not_connected', 'error']);

function rank(status: string): number {
  return RANK[status] ?? 0;
}

/** The same order as a SQL expression over a status column, for merges done in one statement (webhooks). */
export function statusRankSql(column: string): string {
  const cases = Object.entries(RANK).map(([status, value]) => `when '${status}' then ${value}`);
  return `(case ${column} ${cases.join(' ')} else 0 end)`;
}

/**
 * The status an event implies. Retell's own `call_status` inside a webhook can lag (its docs show `registered` in a
 * `call_ended` sample), so the event type decides, and the payload only says which terminal state it was.
 */
export function statusFor(event: string | undefined, call: RetellCallData): string | undefined {
  if (event === 'call_started') return 'ongoing';
  if (event === 'call_ended' || event === 'call_analyzed') {
    return call.call_status && TERMINAL.has(call.call_status) ? call.call_status : 'ended';
  }
  return call.call_status;
}

const toDate = (ms: number | undefined) => (typeof ms === 'number' && Number.isFinite(ms) ? new Date(ms) : undefined);

/**
 * Folds what Retell says about a call into our row. Order-safe and idempotent: the status never moves backwards,
 * timestamps are set once, and fields an event does not carry are left as they are — so duplicates and late
 * `call_started`s change nothing, and `call_analyzed` before `call_ended` still leaves a complete row.
 */
export function mergeRetellCall(row: Call, call: RetellCallData, event?: string): void {
  const status = statusFor(event, call);
  if (status && (row.status === undefined || rank(status) > rank(row.status))) row.status = status;
  row.startedAt ??= toDate(call.start_timestamp) ?? null;
  row.endedAt ??= toDate(call.end_timestamp) ?? null;
  if (typeof call.duration_ms === 'number') row.duration = Math.round(call.duration_ms / 1000);
  else if (row.duration == null && row.startedAt && row.endedAt) row.duration = Math.round((row.endedAt.getTime() - row.startedAt.getTime()) / 1000);
  row.disconnectionReason ??= call.disconnection_reason?.slice(0, 64) ?? null;
  if (call.transcript) row.transcript = call.transcript;
  if (Array.isArray(call.transcript_object) && call.transcript_object.length > 0) row.transcriptObject = call.transcript_object;
  if (call.recording_url) row.recordingUrl = call.recording_url;
  if (call.public_log_url) row.publicLogUrl = call.public_log_url;
  if (call.call_analysis && typeof call.call_analysis === 'object') row.callAnalysis = call.call_analysis;
  if (call.call_cost && typeof call.call_cost === 'object') row.callCost = call.call_cost;
}
