import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorEnvelopeDto } from '../errors/error-envelope.dto.js';

/**
 * What each status means on this API. Statuses every route can answer (400, 401, 403, 413, 415, 500) are added to the
 * document centrally (see common-responses.ts); controllers declare only the ones their route really produces.
 */
const MEANING: Record<number, string> = {
  404: 'No such resource for the caller (another user’s resources answer 404 too).',
  409: 'Conflicts with the current state.',
  422: 'Well-formed but refused.',
  429: 'Too many requests; retry after `retryAfterSeconds` (also the `retry-after` header).',
  502: 'Retell refused or failed the request; nothing was changed. Retrying is safe.',
  503: 'Retell is unreachable or rate limiting; retry after `retryAfterSeconds` (also the `retry-after` header).',
  504: 'Retell did not answer in time; retry after `retryAfterSeconds` (also the `retry-after` header).',
};

/**
 * Documents error responses with the error envelope: `@ApiErrors(404, 409)` uses the standard meanings,
 * `@ApiErrors({ 409: 'Username or e-mail taken' })` says what the status means on this route.
 */
export function ApiErrors(...statuses: (number | Record<number, string>)[]): MethodDecorator & ClassDecorator {
  const entries: [number, string][] = statuses.flatMap((item) =>
    typeof item === 'number' ? [[item, MEANING[item] ?? 'Error.'] as [number, string]] : Object.entries(item).map(([s, d]) => [Number(s), d] as [number, string]),
  );
  return applyDecorators(...entries.map(([status, description]) => ApiResponse({ status, description, type: ErrorEnvelopeDto })));
}

/** The three ways a call to Retell can fail, on every route that calls Retell. */
export const ApiRetellErrors = () => ApiErrors(502, 503, 504);
