import { applyDecorators, UseInterceptors } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { ApiErrors } from '../openapi/api-errors.decorator.js';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';

/**
 * Makes a create that spends money safe to retry: the route accepts an `Idempotency-Key` header and runs at most once
 * per key (see IdempotencyService), and the OpenAPI document says so. The route's module imports IdempotencyModule.
 */
export function Idempotent(): MethodDecorator {
  return applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'Makes a retry safe: the same key and body return the first response (with `Idempotent-Replayed: true`) without ' +
        'running again; the same key with another body is a 422. Up to 255 visible ASCII characters; kept 24 hours.',
    }),
    ApiErrors({
      409: 'A request with the same Idempotency-Key is still in flight; retry after `retryAfterSeconds`.',
      422: 'Idempotency-Key reused with a different request.',
    }),
  );
}
