/** Every refusal the API can give, with its HTTP status. The body is always `{ error: { code, message, details? } }`. */
export const ERROR_STATUS = {
  validation_failed: 400,
  bad_request: 400,
  csrf_header_missing: 403,
  unauthenticated: 401,
  session_expired: 401,
  invalid_credentials: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  stale_version: 409,
  possible_duplicate: 409,
  visit_already_active: 409,
  doctor_busy: 409,
  illegal_transition: 409,
  appointment_overlap: 409,
  patient_conflict: 409,
  username_taken: 409,
  already_set_up: 409,
  payment_required: 402,
  already_settled: 409,
  idempotency_mismatch: 422,
  amount_mismatch: 422,
  outside_schedule: 422,
  unprocessable: 422,
  too_many_attempts: 429,
  internal: 500,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

/** The one error type services throw; the HTTP layer maps `code` to a status and the body above. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.code = code;
    this.details = details;
  }
}
