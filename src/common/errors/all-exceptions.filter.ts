import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import {
  DriverException,
  ForeignKeyConstraintViolationException,
  NotFoundError,
  UniqueConstraintViolationException,
} from '@mikro-orm/postgresql';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { reasonPhrase } from './app-exceptions.js';
import type { ErrorEnvelopeDto } from './error-envelope.dto.js';

/**
 * The one place an error becomes a response: every error, whatever threw it, leaves as an ErrorEnvelopeDto.
 * Unknown errors are logged with their stack and answered with a generic 500 — never SQL, stacks or secrets.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const envelope = toEnvelope(exception, (error) =>
      this.logger.error({ msg: 'unhandled error', reqId: request.id, err: describe(error) }),
    );
    sendEnvelope(reply, envelope, request.id);
  }
}

export function sendEnvelope(reply: FastifyReply, envelope: ErrorEnvelopeDto, requestId?: string): void {
  if (envelope.retryAfterSeconds !== undefined) reply.header('retry-after', String(envelope.retryAfterSeconds));
  void reply.status(envelope.statusCode).type('application/json').send({ ...envelope, requestId });
}

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

/** Name, message and stack only: never the request, its headers or the error's attached data. */
function describe(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { type: error.name, message: error.message, stack: error.stack };
  return { type: typeof error };
}
