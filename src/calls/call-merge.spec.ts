import { Call } from './call.entity.js';
import { mergeRetellCall, statusRankSql, type RetellCallData } from './call-merge.js';

function freshRow(): Call {
  const row = new Call();
  row.status = 'registered';
  return row;
}

const base: RetellCallData = { call_id: 'c1', call_status: 'registered' };
const started: RetellCallData = { ...base, call_status: 'ongoing', start_timestamp: 1_700_000_000_000 };
const ended: RetellCallData = {
  ...base,
  start_timestamp: 1_700_000_000_000,
  end_timestamp: 1_700_000_042_400,
  duration_ms: 42_400,
  disconnection_reason: 'agent_hangup',
  transcript: 'Agent: Hello',
  transcript_object: [{ role: 'agent', content: 'Hello' }],
  recording_url: 'https://example.test/r.wav',
  call_cost: { combined_cost: 12 },
};
const analyzed: RetellCallData = { ...ended, call_status: 'ended', call_analysis: { call_summary: 'ok', user_sentiment: 'Positive' } };

describe('mergeRetellCall', () => {
  it('follows the lifecycle started → ended → analyzed', () => {
    const row = freshRow();
    mergeRetellCall(row, started, 'call_started');
    expect(row.status).toBe('ongoing');
    expect(row.startedAt).toEqual(new Date(1_700_000_000_000));
    mergeRetellCall(row, ended, 'call_ended');
    expect(row).toMatchObject({ status: 'ended', duration: 42, disconnectionReason: 'agent_hangup', transcript: 'Agent: Hello' });
    expect(row.endedAt).toEqual(new Date(1_700_000_042_400));
    mergeRetellCall(row, analyzed, 'call_analyzed');
    expect(row.callAnalysis).toEqual({ call_summary: 'ok', user_sentiment: 'Positive' });
    expect(row.status).toBe('ended');
  });

  it('ignores a late call_started after the call ended', () => {
    const row = freshRow();
    mergeRetellCall(row, ended, 'call_ended');
    mergeRetellCall(row, { ...started, start_timestamp: 1_800_000_000_000 }, 'call_started');
    expect(row.status).toBe('ended');
    expect(row.startedAt).toEqual(new Date(1_700_000_000_000));
    expect(row.transcript).toBe('Agent: Hello');
  });

  it('is idempotent: applying the same event twice changes nothing', () => {
    const once = freshRow();
    mergeRetellCall(once, ended, 'call_ended');
    const twice = freshRow();
    mergeRetellCall(twice, ended, 'call_ended');
    mergeRetellCall(twice, ended, 'call_ended');
    expect(twice).toEqual(once);
  });

  it('completes the row when call_analyzed arrives before call_ended', () => {
    const row = freshRow();
    mergeRetellCall(row, analyzed, 'call_analyzed');
    mergeRetellCall(row, ended, 'call_ended');
    expect(row).toMatchObject({ status: 'ended', duration: 42, callAnalysis: analyzed.call_analysis });
  });

  it('keeps the terminal state Retell reports for calls that never connected', () => {
    const row = freshRow();
    mergeRetellCall(row, { ...base, call_status: 'not_connected', disconnection_reason: 'dial_no_answer', end_timestamp: 1 }, 'call_ended');
    expect(row).toMatchObject({ status: 'not_connected', disconnectionReason: 'dial_no_answer' });
    expect(row.startedAt).toBeNull();
  });

  it("derives the state from the event when Retell's payload still says registered", () => {
    const row = freshRow();
    mergeRetellCall(row, { ...ended, call_status: 'registered' }, 'call_ended');
    expect(row.status).toBe('ended');
  });
});

describe('statusRankSql', () => {
  it('spells the same lifecycle order in SQL', () => {
    expect(statusRankSql('calls.status')).toBe(
      "(case calls.status when 'registered' then 0 when 'ongoing' then 1 when 'ended' then 2 when 'not_connected' then 2 when 'error' then 2 else 0 end)",
    );
  });
});
