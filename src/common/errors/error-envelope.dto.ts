/** One field's validation problems. */
export class FieldErrorDto {
  /** Dotted path of the field in the request body or query, e.g. `tools.0.name`. */
  field: string;
  /** @example ["must be a string"] */
  messages: string[];
}

/** The body of every error response. */
export class ErrorEnvelopeDto {
  /** @example 400 */
  statusCode: number;
  /** @example "Bad Request" */
  error: string;
  /** @example "Validation failed" */
  message: string;
  /** Per-field problems, on validation errors. */
  details?: FieldErrorDto[];
  /** Correlates the response with the server's logs. @example "req-1" */
  requestId?: string;
  /**
   * A machine-readable reason where one status has several causes, e.g. `user_concurrency`,
   * `workspace_concurrency`, `minutes_cap` on a refused call. @example "user_concurrency"
   */
  code?: string;
  /** Seconds to wait before retrying, when the failure is temporary. */
  retryAfterSeconds?: number;
}
