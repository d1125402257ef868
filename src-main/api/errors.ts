/** Every failure that crosses a transport carries one of these codes, never a stack trace. */
export const errorCodes = [
  'VALIDATION',
  'UNKNOWN_METHOD',
  'NOT_FOUND',
  'MODEL_NOT_FOUND',
  'MODEL_INVALID',
  'NO_MODEL',
  'BUSY',
  'IMPORT_INVALID',
  'TOO_LARGE',
  'DISK_FULL',
  'DOWNLOAD_FAILED',
  'FORBIDDEN',
  /** The conversation no longer fits the context and its policy is to stop. */
  'CONTEXT_FULL',
  /** A custom chat template that cannot be parsed, or a draft model whose vocabulary differs. */
  'SETTINGS_INVALID',
  'INTERNAL'
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export interface ErrorIssue {
  path: string;
  message: string;
}

export interface ApiErrorShape {
  code: ErrorCode;
  message: string;
  issues?: ErrorIssue[];
  /** Machine-readable detail for some codes (TOO_LARGE: the settings that would fit). */
  details?: Record<string, unknown>;
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly issues?: ErrorIssue[];
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, issues?: ErrorIssue[], details?: Record<string, unknown>) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.issues = issues;
    this.details = details;
  }

  toJSON(): ApiErrorShape {
    return {
      code: this.code,
      message: this.message,
      ...(this.issues ? { issues: this.issues } : {}),
      ...(this.details ? { details: this.details } : {})
    };
  }

  static from(error: unknown): ApiError {
    if (error instanceof ApiError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new ApiError('INTERNAL', message);
  }
}

export const httpStatusOf: Record<ErrorCode, number> = {
  VALIDATION: 400,
  UNKNOWN_METHOD: 404,
  NOT_FOUND: 404,
  MODEL_NOT_FOUND: 404,
  MODEL_INVALID: 422,
  NO_MODEL: 409,
  BUSY: 409,
  IMPORT_INVALID: 422,
  TOO_LARGE: 422,
  DISK_FULL: 507,
  DOWNLOAD_FAILED: 502,
  FORBIDDEN: 403,
  CONTEXT_FULL: 413,
  SETTINGS_INVALID: 422,
  INTERNAL: 500
};

/** The message of anything thrown, for logs and error texts. */
export function errorMessageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The envelope both transports use for a method's reply. */
export type CallResult<T> = { ok: true; result: T } | { ok: false; error: ApiErrorShape };
