import { HttpException, HttpStatus } from '@nestjs/common';
import type { FieldErrorDto } from './error-envelope.dto.js';

/** An HttpException whose response is already our envelope (minus requestId, added by the filter). */
export class ApiException extends HttpException {
  constructor(
    status: number,
    message: string,
    extra: { details?: FieldErrorDto[]; retryAfterSeconds?: number; code?: string } = {},
  ) {
    super({ statusCode: status, error: reasonPhrase(status), message, ...extra }, status);
  }
}

export class ValidationFailedException extends ApiException {
  constructor(details: FieldErrorDto[], message = 'Validation failed') {
    super(HttpStatus.BAD_REQUEST, message, { details });
  }
}

/** Another tenant's row is answered exactly like a missing one. */
export class ResourceNotFoundException extends ApiException {
  constructor(resource: string) {
    super(HttpStatus.NOT_FOUND, `${resource} not found`);
  }
}

const PHRASES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function reasonPhrase(status: number): string {
  return PHRASES[status] ?? (status >= 500 ? 'Server Error' : 'Error');
}
