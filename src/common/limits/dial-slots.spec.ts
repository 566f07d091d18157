import { statusFor } from '../../calls/call-merge.js';
import { LIVE_CALL_STATUSES } from './dial-slots.js';

/** A slot counts while its call is live: LIVE_CALL_STATUSES must be exactly the non-final statuses the merge writes. */
describe('LIVE_CALL_STATUSES', () => {
  const live = new Set<string>(LIVE_CALL_STATUSES);

  it('holds what a created or started call is recorded as', () => {
    expect(live.has(statusFor(undefined, { call_id: 'c', call_status: 'registered' }))).toBe(true);
    expect(live.has(statusFor('call_started', { call_id: 'c', call_status: 'registered' }))).toBe(true);
    expect(live.has(statusFor(undefined, { call_id: 'c', call_status: 'something new' }))).toBe(true);
  });

  it('holds none of the statuses an ended call is recorded as', () => {
    for (const status of ['ended', 'not_connected', 'error', 'registered', undefined]) {
      expect(live.has(statusFor('call_ended', { call_id: 'c', call_status: status }))).toBe(false);
      expect(live.has(statusFor('call_analyzed', { call_id: 'c', call_status: status }))).toBe(false);
    }
  });
});
