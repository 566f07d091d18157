import { ok, RetellApiError } from '../http.js';
import type { Route } from '../router.js';
import type { HandlerContext } from './context.js';

/** A pay-as-you-go workspace's limit: 20 concurrent calls (https://docs.retellai.com/deploy/concurrency). */
export const DEFAULT_CONCURRENCY_LIMIT = 20;

/**
 * What create-phone-call and create-web-call answer when the workspace already has `concurrency_limit` live calls.
 * Retell's OpenAPI document lists 429 (`TooManyRequests`, `{status:'error', message}`) for both creates but does not
 * document the text for this case; this message is the emulator's own, chosen so clients can tell it from the
 * documented request-rate 429 ("Account rate limited, please throttle your requests.").
 */
export const CONCURRENCY_LIMIT_MESSAGE = 'Concurrency limit reached, please wait for ongoing calls to end or purchase more concurrency.';

/** Throws Retell's 429 when one more call would exceed the workspace's concurrency limit. Nothing is dialled. */
export function admitCall(ctx: HandlerContext): void {
  if (ctx.state.liveCallIds.size >= ctx.concurrencyLimit()) throw new RetellApiError(429, CONCURRENCY_LIMIT_MESSAGE);
}

export function concurrencyRoutes(ctx: HandlerContext): Route[] {
  return [
    {
      method: 'GET',
      path: '/get-concurrency',
      handler: () => {
        const limit = ctx.concurrencyLimit();
        return ok({
          current_concurrency: ctx.state.liveCallIds.size,
          concurrency_limit: limit,
          base_concurrency: limit,
          purchased_concurrency: 0,
          concurrency_purchase_limit: 100,
          remaining_purchase_limit: 100,
          reserved_inbound_concurrency: 0,
          concurrency_burst_enabled: false,
          // Retell's document: "Returns 0 if burst mode is disabled" (it is, here).
          concurrency_burst_limit: 0,
        });
      },
    },
  ];
}
