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

  /** Any failure as a typed one; SQLite's storage failures get the code a client can act on. */
  static from(error: unknown): ApiError {
    if (error instanceof ApiError) return error;
    const message = error instanceof Error ? error.message : String(error);
    const storage = storageErrorCode(error);
    if (storage) return new ApiError(storage.code, `${storage.advice} (${message})`);
    return new ApiError('INTERNAL', message);
  }
}

/**
 * SQLite's result codes (better-sqlite3 puts them on `error.code`, e.g. SQLITE_FULL, SQLITE_READONLY_DBMOVED)
 * as the error a user can act on; null for anything else. Source: https://www.sqlite.org/rescode.html
 */
export function storageErrorCode(error: unknown): { code: ErrorCode; advice: string } | null {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return null;
  if (code === 'SQLITE_FULL' || code === 'SQLITE_IOERR_WRITE' || code === 'SQLITE_IOERR_FSYNC') return { code: 'DISK_FULL', advice: "The disk holding Hearth's history is full or refused the write; free some space and try again" };
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return { code: 'BUSY', advice: "Another program holds Hearth's history database locked; try again shortly" };
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM') return { code: 'FORBIDDEN', advice: "Hearth cannot write its history: the file or its folder is read-only or cannot be opened" };
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return { code: 'INTERNAL', advice: "Hearth's history database is damaged; restart Hearth to check and recover it" };
  return null;
}

/** Seconds a client is told to wait before trying a BUSY request again. */
export const busyRetryAfterSeconds = 2;

export const httpStatusOf: Record<ErrorCode, number> = {
  VALIDATION: 400,
  UNKNOWN_METHOD: 404,
  NOT_FOUND: 404,
  MODEL_NOT_FOUND: 404,
  MODEL_INVALID: 422,
  NO_MODEL: 409,
  BUSY: 503,
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
