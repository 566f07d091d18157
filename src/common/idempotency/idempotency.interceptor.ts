import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { AuthPrincipal } from '../auth/current-user.decorator.js';
import { IdempotencyService } from './idempotency.service.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'idempotent-replayed';

/**
 * The `Idempotency-Key` protocol around a route (see IdempotencyService), applied by `@Idempotent()`. The request is
 * fingerprinted from the route, the path parameters and the body as received, so the handler itself knows nothing of
 * it. Interceptors run after the guard (the caller is known) and before the validation pipe: a request the pipe
 * refuses is a 4xx, which is not stored.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly idempotency: IdempotencyService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & { user?: AuthPrincipal }>();
    const reply = http.getResponse<FastifyReply>();
    const key = request.headers[IDEMPOTENCY_HEADER];
    if (key === undefined) return next.handle();
    if (!request.user) throw new Error('@Idempotent() used on a route without authentication');
    const fingerprint = { route: `${request.method} ${request.routeOptions.url}`, params: request.params, body: request.body ?? null };
    // Nest has set the route's success status (201 for a POST unless @HttpCode says otherwise) before interceptors run.
    const successStatus = reply.statusCode;
    return from(
      this.idempotency
        .run(request.user.userId, key, fingerprint, () => lastValueFrom(next.handle()), successStatus)
        .then((result) => {
          if (result.replayed) reply.header(REPLAYED_HEADER, 'true');
          return result.body;
        }),
    );
  }
}
