// The API's coded errors: one registry, the key equal to the code, each with its HTTP status.

export const API_ERRORS = {
  UNAUTHORIZED: { statusCode: 401, error: 'Unauthorized' },
  WRITES_DISABLED: { statusCode: 403, error: 'Forbidden' },
  NOT_FOUND: { statusCode: 404, error: 'Not Found' },
  SITE_NOT_FOUND: { statusCode: 404, error: 'Not Found' },
  VALIDATION_FAILED: { statusCode: 400, error: 'Bad Request' },
  PLAN_INVALID: { statusCode: 422, error: 'Unprocessable Entity' },
  CORRIDOR_INVALID: { statusCode: 400, error: 'Bad Request' },
  NO_COMMON_CYCLE: { statusCode: 422, error: 'Unprocessable Entity' },
  ENGINE_NOT_RUNNING: { statusCode: 503, error: 'Service Unavailable' },
  INTERNAL: { statusCode: 500, error: 'Internal Server Error' },
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

/** The body of every error response. */
export interface ApiErrorBody {
  statusCode: number;
  code: ApiErrorCode;
  error: string;
  message: string;
}

/**
 * An error a route answers with: its code fixes the status; the message says what to do.
 *
 * @example
 * throw new ApiError('SITE_NOT_FOUND', 'site X is not a signal of the network; GET /api/v1/controllers lists them');
 */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly statusCode: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ApiErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.statusCode = API_ERRORS[code].statusCode;
    this.details = details;
  }

  body(): ApiErrorBody & Record<string, unknown> {
    return {
      statusCode: this.statusCode,
      code: this.code,
      error: API_ERRORS[this.code].error,
      message: this.message,
      ...(this.details ?? {}),
    };
  }
}
