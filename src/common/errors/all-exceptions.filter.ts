import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toEnvelope, type ErrorEnvelopeDto } from './envelope.js';

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

/** Name, message and stack only: never the request, its headers or the error's attached data. */
function describe(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { type: error.name, message: error.message, stack: error.stack };
  return { type: typeof error };
}
