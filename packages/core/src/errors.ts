/**
 * The one error catalogue: every code the API can answer, with its status and the sentence
 * a person sees when the thrower has nothing more precise to say.
 */
export const errorCatalogue = {
  invalid_request: { status: 400, message: "The request is not valid." },
  unauthorized: { status: 401, message: "Sign in to continue." },
  invalid_credentials: { status: 401, message: "Wrong email or password." },
  forbidden: { status: 403, message: "You are not allowed to do that." },
  invalid_server_credentials: { status: 403, message: "Wrong server name or password." },
  not_found: { status: 404, message: "Not found." },
  invite_not_found: { status: 404, message: "This invite does not exist." },
  email_taken: { status: 409, message: "An account with this email already exists." },
  username_taken: { status: 409, message: "This username is taken." },
  server_name_taken: { status: 409, message: "A server with this name already exists." },
  channel_name_taken: { status: 409, message: "A channel with this name already exists in this server." },
  owner_cannot_leave: { status: 409, message: "The owner cannot leave their own server; delete it instead." },
  invite_expired: { status: 410, message: "This invite has expired." },
  invite_exhausted: { status: 410, message: "This invite has reached its maximum number of uses." },
  cursor_expired: { status: 410, message: "This cursor is older than the change feed keeps; reload the newest messages." },
  payload_too_large: { status: 413, message: "The request body is larger than 64 KiB." },
  rate_limited: { status: 429, message: "Too many attempts. Try again later." },
  internal: { status: 500, message: "Something went wrong on our side." },
  unavailable: { status: 503, message: "The service cannot reach its database right now. Try again in a moment." },
} as const;

export type ErrorCode = keyof typeof errorCatalogue;
export type ErrorStatus = (typeof errorCatalogue)[ErrorCode]["status"];

export interface Issue {
  path: string;
  message: string;
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; issues?: Issue[] };
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: ErrorStatus;
  readonly issues?: Issue[];
  /** Seconds, for `retry-after` on 429. */
  readonly retryAfter?: number;

  constructor(code: ErrorCode, message?: string, extra: { issues?: Issue[]; retryAfter?: number } = {}) {
    super(message ?? errorCatalogue[code].message);
    this.name = "AppError";
    this.code = code;
    this.status = errorCatalogue[code].status;
    if (extra.issues) this.issues = extra.issues;
    if (extra.retryAfter !== undefined) this.retryAfter = extra.retryAfter;
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.issues ? { issues: this.issues } : {}),
      },
    };
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
