/**
 * The one error type services and routes throw for an expected failure. The error handler
 * (src/http/error-handler.ts) turns it into an RFC 9457 `application/problem+json` response whose
 * `type` and `code` come from ERROR_CATALOG, so clients can rely on them.
 */

export const PROBLEM_TYPE_BASE = 'https://learning-platform.dev/problems/';

export const ERROR_CATALOG = {
  // First entry per status is the one used for errors that only carry a status (see codeForStatus).
  bad_request: { status: 400, title: 'Bad request' },
  validation_failed: { status: 400, title: 'The request is not valid' },
  unauthorized: { status: 401, title: 'Authentication required' },
  payment_required: { status: 402, title: 'Payment required' },
  forbidden: { status: 403, title: 'Not allowed' },
  not_enrolled: { status: 403, title: 'Not enrolled' },
  lesson_locked: { status: 403, title: 'Lesson locked' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  not_acceptable: { status: 406, title: 'Not acceptable' },
  request_timeout: { status: 408, title: 'Request timeout' },
  conflict: { status: 409, title: 'Conflict' },
  job_not_failed: { status: 409, title: 'Only a failed job can be retried' },
  course_archived: { status: 409, title: 'The course is archived' },
  prerequisites_not_met: { status: 409, title: 'Prerequisites not met' },
  prerequisite_cycle: { status: 409, title: 'Prerequisites would form a cycle' },
  certificate_revoked: { status: 409, title: 'The certificate is already revoked' },
  // Assignments (src/modules/assignments).
  assignment_has_submissions: { status: 409, title: 'The assignment has submissions' },
  past_due: { status: 409, title: 'The due date has passed' },
  attempt_limit_reached: { status: 409, title: 'No attempts left' },
  already_graded: { status: 409, title: 'Already graded' },
  grade_released: { status: 409, title: 'The grade is already released to the student' },
  rubric_in_use: { status: 409, title: 'The rubric has been used for grading' },
  not_a_file: { status: 409, title: 'Not a stored file' },
  quiz_has_attempts: { status: 409, title: 'The quiz has attempts: this edit would change their grading' },
  quiz_not_ready: { status: 409, title: 'The quiz cannot be published yet' },
  quiz_not_available: { status: 409, title: 'The quiz is not open for attempts now' },
  attempt_expired: { status: 409, title: 'The attempt’s time is over' },
  attempt_submitted: { status: 409, title: 'The attempt is already submitted' },
  stale_answers: { status: 409, title: 'Newer answers are already saved' },
  attempt_not_gradable: { status: 409, title: 'The attempt has nothing to grade by hand' },
  gone: { status: 410, title: 'Gone' },
  precondition_failed: { status: 412, title: 'Precondition failed' },
  grade_conflict: { status: 412, title: 'The grade changed since it was read' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  file_too_large: { status: 413, title: 'A file is larger than allowed' },
  uri_too_long: { status: 414, title: 'URI too long' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  unprocessable_content: { status: 422, title: 'Unprocessable content' },
  file_type_not_allowed: { status: 422, title: 'File type not allowed' },
  idempotency_key_reused: { status: 422, title: 'Idempotency key reused for another request' },
  invalid_question: { status: 422, title: 'The question is not valid for its type' },
  invalid_answers: { status: 422, title: 'The answers do not fit the attempt’s questions' },
  invalid_grades: { status: 422, title: 'The grades do not fit the attempt' },
  precondition_required: { status: 428, title: 'Precondition required' },
  rate_limited: { status: 429, title: 'Too many requests' },
  request_header_fields_too_large: { status: 431, title: 'Request header fields too large' },
  internal_error: { status: 500, title: 'Internal server error' },
  service_unavailable: { status: 503, title: 'Service unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export function problemType(code: ErrorCode): string {
  return `${PROBLEM_TYPE_BASE}${code}`;
}

/** The catalog code for an HTTP status (the first entry with that status), if there is one. */
export function codeForStatus(status: number): ErrorCode | undefined {
  for (const [code, entry] of Object.entries(ERROR_CATALOG)) {
    if (entry.status === status) return code as ErrorCode;
  }
  return undefined;
}

/** One bad field of a request, as listed in a `validation_failed` problem. */
export interface FieldError {
  /** JSON pointer into the request, e.g. `/body/email` or `/querystring/limit`. */
  field: string;
  message: string;
}

export interface AppErrorOptions {
  cause?: unknown;
  /** Sets `Retry-After` (seconds) on 429 and 503 responses. */
  retryAfterSeconds?: number;
}

export class AppError extends Error {
  override name = 'AppError';
  readonly code: ErrorCode;
  readonly status: number;
  readonly title: string;
  /** Human-readable explanation of this occurrence; sent to the client, so never put secrets here. */
  readonly detail: string | undefined;
  /** RFC 9457 extension members added to the problem body (e.g. `errors`, `checks`). */
  readonly extras: Record<string, unknown> | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: ErrorCode,
    detail?: string,
    extras?: Record<string, unknown>,
    options: AppErrorOptions = {},
  ) {
    const entry = ERROR_CATALOG[code];
    super(detail ?? entry.title, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = entry.status;
    this.title = entry.title;
    this.detail = detail;
    this.extras = extras;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
