import { ok } from '../http.js';
import type { Route } from '../router.js';
import type { HandlerContext } from './context.js';
import { isLive } from './calls.js';

/** A pay-as-you-go workspace: 20 concurrent calls, burst allowed up to min(3 × limit, limit + 300). */
const CONCURRENCY_LIMIT = 20;

export function concurrencyRoutes(ctx: HandlerContext): Route[] {
  return [
    {
      method: 'GET',
      path: '/get-concurrency',
      handler: () =>
        ok({
          current_concurrency: [...ctx.state.calls.values()].filter((stored) => isLive(stored.call)).length,
          concurrency_limit: CONCURRENCY_LIMIT,
          base_concurrency: CONCURRENCY_LIMIT,
          purchased_concurrency: 0,
          concurrency_purchase_limit: 100,
          remaining_purchase_limit: 100,
          reserved_inbound_concurrency: 0,
          concurrency_burst_enabled: false,
          concurrency_burst_limit: Math.min(3 * CONCURRENCY_LIMIT, CONCURRENCY_LIMIT + 300),
        }),
    },
  ];
}
