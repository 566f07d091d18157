import { APIConnectionError, APIConnectionTimeoutError, type APIError } from 'retell-sdk';
import type { ErrorEnvelopeDto } from '../common/errors/error-envelope.dto.js';

function retryAfter(error: APIError): number {
  const header = error.headers?.get('retry-after');
  const seconds = header ? Number(header) : NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds) : 5;
}

/**
 * What our client sees when Retell fails and no service handled it more precisely. Never a bare 500: Retell's
 * trouble is a 502/503/504 with a retry hint; a request Retell refused is a 502 naming Retell.
 */
export function mapRetellError(error: APIError): ErrorEnvelopeDto {
  const envelope = (statusCode: number, error: string, message: string, retryAfterSeconds?: number): ErrorEnvelopeDto => ({
    statusCode,
    error,
    message,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  });
  if (error instanceof APIConnectionTimeoutError) {
    return envelope(504, 'Gateway Timeout', 'Retell did not answer in time; try again', 5);
  }
  if (error instanceof APIConnectionError) {
    return envelope(503, 'Service Unavailable', 'Retell could not be reached; try again', 5);
  }
  const status = error.status ?? 0;
  if (status === 429) return envelope(503, 'Service Unavailable', 'Retell is rate limiting requests; try again later', retryAfter(error));
  if (status === 402) return envelope(503, 'Service Unavailable', 'The Retell account cannot pay for this (payment method or trial)', 60);
  if (status >= 500) return envelope(502, 'Bad Gateway', 'Retell failed to process the request; try again', 5);
  if (status === 401 || status === 403) return envelope(502, 'Bad Gateway', 'This server could not authenticate with Retell');
  if (status === 422) return envelope(502, 'Bad Gateway', 'Retell no longer knows a resource this server refers to');
  return envelope(502, 'Bad Gateway', `Retell refused the request: ${retellMessage(error)}`);
}

/** Retell's own `{status:'error', message}` text, which holds no secrets. */
export function retellMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  return typeof body?.message === 'string' ? body.message.slice(0, 300) : `status ${error.status ?? 'unknown'}`;
}
