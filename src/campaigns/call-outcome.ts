import type { TargetOutcome } from './campaign-target.entity.js';

/**
 * A finished call's outcome for the retry policy, from Retell's `disconnection_reason` (and the call's final status
 * when Retell gave no reason):
 * - no_answer: `dial_no_answer`, `user_declined` (rang, nobody took it);
 * - busy: `dial_busy`;
 * - voicemail: `voicemail_reached`, `ivr_reached` (a machine answered, not the person);
 * - failed (never retried: calling again cannot help): `invalid_destination`, `marked_as_spam`, `scam_detected`,
 *   `telephony_provider_permission_denied`, `no_valid_payment`;
 * - error: `dial_failed`, every `error_*`, `concurrency_limit_reached`, `no_concurrency_fallback`,
 *   `telephony_provider_unavailable`, `sip_routing_error`, and any final status `error` or `not_connected` without
 *   one of the reasons above;
 * - completed: everything else of an `ended` call (`agent_hangup`, `user_hangup`, `call_transfer`, `inactivity`,
 *   `max_duration_reached`, `transfer_*`, …): a person was reached.
 */
export function outcomeOf(status: string, reason: string | null | undefined): TargetOutcome {
  switch (reason) {
    case 'dial_no_answer':
    case 'user_declined':
      return 'no_answer';
    case 'dial_busy':
      return 'busy';
    case 'voicemail_reached':
    case 'ivr_reached':
      return 'voicemail';
    case 'invalid_destination':
    case 'marked_as_spam':
    case 'scam_detected':
    case 'telephony_provider_permission_denied':
    case 'no_valid_payment':
      return 'failed';
    case 'dial_failed':
    case 'concurrency_limit_reached':
    case 'no_concurrency_fallback':
    case 'telephony_provider_unavailable':
    case 'sip_routing_error':
      return 'error';
  }
  if (reason?.startsWith('error_')) return 'error';
  if (status === 'ended') return 'completed';
  return 'error';
}

/** Retell's final call statuses: the call will not change state any more. */
export const FINAL_CALL_STATUSES = ['ended', 'not_connected', 'error'] as const;
