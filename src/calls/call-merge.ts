import { isStorableText, toStorableText } from '../common/input/storable-text.js';

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

/** The lifecycle order as a SQL expression over a status column (the merge statement in CallRepository uses it). */
export function statusRankSql(column: string): string {
  const cases = Object.entries(RANK).map(([status, value]) => `when '${status}' then ${value}`);
  return `(case ${column} ${cases.join(' ')} else 0 end)`;
}

/**
 * The status an event implies. Retell's own `call_status` inside a webhook can lag (its docs show `registered` in a
 * `call_ended` sample), so the event type decides, and the payload only says which terminal state it was. A status we
 * do not know counts as the lowest (it never moves a call).
 */
export function statusFor(event: string | undefined, call: RetellCallData): string {
  if (event === 'call_started') return 'ongoing';
  if (event === 'call_ended' || event === 'call_analyzed') {
    return call.call_status && TERMINAL.has(call.call_status) ? call.call_status : 'ended';
  }
  return call.call_status !== undefined && call.call_status in RANK ? call.call_status : 'registered';
}

/**
 * Retell's content is stored as well as it can be: PostgreSQL's text and jsonb cannot hold NUL, nor a lone UTF-16
 * surrogate. Both are cleaned (NUL removed, a lone surrogate replaced by U+FFFD) wherever they appear, keys
 * included; what was changed is listed in `anomalies` by path.
 */
export function cleanJson(value: unknown, path: string, anomalies: string[]): unknown {
  if (typeof value === 'string') return cleanString(value, path, anomalies);
  if (Array.isArray(value)) return value.map((item, index) => cleanJson(item, `${path}[${index}]`, anomalies));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const clean = cleanString(key, `${path}{key}`, anomalies);
      out[clean] = cleanJson(item, `${path}.${clean}`, anomalies);
    }
    return out;
  }
  return value;
}

function cleanString(value: string, path: string, anomalies: string[]): string {
  if (isStorableText(value)) return value;
  const withoutNul = value.replaceAll('\u0000', '');
  const clean = toStorableText(value);
  if (withoutNul !== value) anomalies.push(`${path}: NUL characters removed`);
  if (clean !== withoutNul) anomalies.push(`${path}: lone UTF-16 surrogates replaced by U+FFFD`);
  return clean;
}

/** Retell reports epoch milliseconds; anything outside 1970…2200 is not a call time. */
const MAX_TIMESTAMP_MS = Date.UTC(2200, 0, 1);
const MAX_DURATION_SECONDS = 2 ** 31 - 1;

/** One call's values as the merge statement takes them (column names; timestamps as UTC ISO strings). */
export interface CallValues {
  retell_call_id: string;
  call_type: 'phone_call' | 'web_call';
  direction: 'inbound' | 'outbound';
  from_number: string | null;
  to_number: string | null;
  status: string;
  started_at: string | null;
  ended_at: string | null;
  duration: number | null;
  disconnection_reason: string | null;
  transcript: string | null;
  transcript_object: unknown[] | null;
  recording_url: string | null;
  public_log_url: string | null;
  call_analysis: Record<string, unknown> | null;
  call_cost: Record<string, unknown> | null;
}

/**
 * What Retell says about a call (already cleaned with `cleanJson`), as the values the merge stores. Values our columns
 * cannot hold are dropped and listed in `anomalies`, so one odd field never costs the rest of the event.
 */
export function callValues(call: RetellCallData, event: string | undefined, anomalies: string[]): CallValues {
  const time = (ms: unknown, field: string): string | null => {
    if (ms === undefined || ms === null) return null;
    if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 && ms <= MAX_TIMESTAMP_MS) return new Date(ms).toISOString();
    anomalies.push(`call.${field}: not a time between 1970 and 2200; dropped`);
    return null;
  };
  const text = (value: unknown, field: string, max?: number): string | null => {
    if (value === undefined || value === null || value === '') return null;
    if (typeof value !== 'string') {
      anomalies.push(`call.${field}: not a string; dropped`);
      return null;
    }
    if (max !== undefined && value.length > max) {
      anomalies.push(`call.${field}: longer than ${max} characters; dropped`);
      return null;
    }
    return value;
  };
  const object = (value: unknown, field: string): Record<string, unknown> | null => {
    if (value === undefined || value === null) return null;
    if (typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    anomalies.push(`call.${field}: not an object; dropped`);
    return null;
  };
  let duration: number | null = null;
  if (call.duration_ms !== undefined && call.duration_ms !== null) {
    const seconds = typeof call.duration_ms === 'number' ? Math.round(call.duration_ms / 1000) : NaN;
    if (Number.isFinite(seconds) && seconds >= 0 && seconds <= MAX_DURATION_SECONDS) duration = seconds;
    else anomalies.push('call.duration_ms: not a duration; dropped');
  }
  const reason = text(call.disconnection_reason, 'disconnection_reason');
  return {
    retell_call_id: call.call_id,
    call_type: call.call_type === 'web_call' ? 'web_call' : 'phone_call',
    direction: call.direction === 'outbound' ? 'outbound' : 'inbound',
    from_number: text(call.from_number, 'from_number', 20),
    to_number: text(call.to_number, 'to_number', 20),
    status: statusFor(event, call),
    started_at: time(call.start_timestamp, 'start_timestamp'),
    ended_at: time(call.end_timestamp, 'end_timestamp'),
    duration,
    disconnection_reason: reason?.slice(0, 64) ?? null,
    transcript: text(call.transcript, 'transcript'),
    transcript_object: Array.isArray(call.transcript_object) && call.transcript_object.length > 0 ? call.transcript_object : null,
    recording_url: text(call.recording_url, 'recording_url'),
    public_log_url: text(call.public_log_url, 'public_log_url'),
    call_analysis: object(call.call_analysis, 'call_analysis'),
    call_cost: object(call.call_cost, 'call_cost'),
  };
}
