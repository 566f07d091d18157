import { callValues, cleanJson, statusFor, statusRankSql } from './call-merge.js';

describe('statusRankSql', () => {
  it('spells the lifecycle order in SQL', () => {
    expect(statusRankSql('calls.status')).toBe(
      "(case calls.status when 'registered' then 0 when 'ongoing' then 1 when 'ended' then 2 when 'not_connected' then 2 when 'error' then 2 else 0 end)",
    );
  });
});

describe('statusFor', () => {
  it("derives the state from the event when Retell's payload still says registered", () => {
    expect(statusFor('call_ended', { call_id: 'c', call_status: 'registered' })).toBe('ended');
    expect(statusFor('call_ended', { call_id: 'c', call_status: 'not_connected' })).toBe('not_connected');
    expect(statusFor('call_started', { call_id: 'c', call_status: 'registered' })).toBe('ongoing');
  });

  it('never lets an unknown status from Retell move or overflow a call', () => {
    expect(statusFor(undefined, { call_id: 'c', call_status: 'x'.repeat(500) })).toBe('registered');
    expect(statusFor(undefined, { call_id: 'c', call_status: 'ongoing' })).toBe('ongoing');
  });
});

describe('cleanJson', () => {
  it('removes NUL and replaces lone surrogates anywhere, keys included, and says where', () => {
    const anomalies: string[] = [];
    const cleaned = cleanJson({ a: 'x\u0000y', ['k\u0000']: ['ok', '\uD800z'], pair: '\uD83D\uDE00' }, '$', anomalies);
    expect(cleaned).toEqual({ a: 'xy', k: ['ok', '\uFFFDz'], pair: '\uD83D\uDE00' });
    expect(anomalies).toEqual(['$.a: NUL characters removed', '${key}: NUL characters removed', '$.k[1]: lone UTF-16 surrogates replaced by U+FFFD']);
  });
});

describe('callValues', () => {
  it('drops what the columns cannot hold and lists it', () => {
    const anomalies: string[] = [];
    const values = callValues(
      { call_id: 'c', start_timestamp: 1e20, end_timestamp: -5, duration_ms: 1e20, from_number: '+1'.padEnd(40, '5'), to_number: '+14155550100' },
      'call_ended',
      anomalies,
    );
    expect(values).toMatchObject({ started_at: null, ended_at: null, duration: null, from_number: null, to_number: '+14155550100', status: 'ended' });
    expect(anomalies).toHaveLength(4);
  });
});
