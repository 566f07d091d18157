import { HttpException } from '@nestjs/common';
import {
  DriverException,
  ForeignKeyConstraintViolationException,
  NotFoundError,
  UniqueConstraintViolationException,
} from '@mikro-orm/postgresql';
import { reasonPhrase } from './app-exceptions.js';
import type { ErrorEnvelopeDto } from './error-envelope.dto.js';

export type { ErrorEnvelopeDto, FieldErrorDto } from './error-envelope.dto.js';

/**
 * What any error becomes on the wire: the exception filter sends it, the idempotency interceptor stores it for
 * replay — one mapping, so a replayed answer is the one the client would have got. Unknown errors are handed to
 * `logUnexpected` and become a generic 500 (never SQL, stacks or secrets).
 */
export function toEnvelope(exception: unknown, logUnexpected: (error: unknown) => void): ErrorEnvelopeDto {
  if (exception instanceof HttpException) return fromHttpException(exception);
  if (exception instanceof NotFoundError) return plain(404, 'Resource not found');
  if (exception instanceof UniqueConstraintViolationException) return plain(409, 'A resource with these values already exists');
  if (exception instanceof ForeignKeyConstraintViolationException) return plain(409, 'The resource is referenced by or refers to another resource');
  const clientError = fastifyClientError(exception);
  if (clientError) return clientError;
  if (!(exception instanceof DriverException)) logUnexpected(exception);
  else logUnexpected(new Error(`database error ${exception.code ?? ''}`.trim()));
  return plain(500, 'Internal server error');
}

function fromHttpException(exception: HttpException): ErrorEnvelopeDto {
  const status = exception.getStatus();
  const response = exception.getResponse();
  if (typeof response === 'object' && response !== null && 'message' in response) {
    const body = response as Partial<ErrorEnvelopeDto> & { message: unknown };
    const message = Array.isArray(body.message) ? body.message.join('; ') : String(body.message);
    return {
      statusCode: status,
      error: typeof body.error === 'string' ? body.error : reasonPhrase(status),
      message,
      ...(body.details ? { details: body.details } : {}),
      ...(typeof body.code === 'string' ? { code: body.code } : {}),
      ...(body.retryAfterSeconds !== undefined ? { retryAfterSeconds: body.retryAfterSeconds } : {}),
    };
  }
  return plain(status, typeof response === 'string' ? response : reasonPhrase(status));
}

/** A Fastify or plugin error that carries a client status (Nest wraps body-parser errors itself). */
function fastifyClientError(exception: unknown): ErrorEnvelopeDto | undefined {
  if (typeof exception !== 'object' || exception === null) return undefined;
  const { statusCode } = exception as { statusCode?: unknown };
  if (typeof statusCode !== 'number' || statusCode < 400 || statusCode >= 500) return undefined;
  return plain(statusCode, reasonPhrase(statusCode));
}

function plain(statusCode: number, message: string): ErrorEnvelopeDto {
  return { statusCode, error: reasonPhrase(statusCode), message };
}
