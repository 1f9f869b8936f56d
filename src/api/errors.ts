// Every refusal Reelm gives has an HTTP status, a stable machine-readable code
// and a sentence a person understands. Services throw these; the API renders them.
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details?: unknown;
  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export const badRequest = (code: string, message: string, details?: unknown) => new AppError(400, code, message, details);
export const unauthorized = (message = 'You need to log in first.') => new AppError(401, 'unauthenticated', message);
export const forbidden = (code: string, message: string) => new AppError(403, code, message);
export const notFound = (what = 'That') => new AppError(404, 'not_found', `${what} does not exist or you cannot see it.`);
export const conflict = (code: string, message: string) => new AppError(409, code, message);
export const tooMany = (code: string, message: string, retryAfterSeconds?: number) =>
  new AppError(429, code, message, retryAfterSeconds ? { retryAfterSeconds } : undefined);

/** Seconds a client should wait before retrying a request refused by a suspended realm. */
export const REALM_SUSPENDED_RETRY_SECONDS = 60;
export const realmSuspended = () =>
  new AppError(
    503,
    'realm_suspended',
    'This realm is suspended for now: nothing can be read or saved until it resumes. Nothing you stored is lost; please try again later.',
    { retryAfterSeconds: REALM_SUSPENDED_RETRY_SECONDS },
  );
export const unavailable = (code: string, message: string, retryAfterSeconds: number) => new AppError(503, code, message, { retryAfterSeconds });
export const ACCOUNT_MOVING_RETRY_SECONDS = 30;
/** `own`: the viewer's own account is held by the move; otherwise the account they acted on (e.g. an unfollow of it). */
export const accountMoving = (own = true) =>
  new AppError(
    503,
    'account_moving',
    own
      ? 'Your account is being moved to its new home realm. Nothing was saved; please try again in a moment.'
      : 'The account you acted on is being moved to its new home realm. Nothing was saved; please try again in a moment.',
    { retryAfterSeconds: ACCOUNT_MOVING_RETRY_SECONDS },
  );
