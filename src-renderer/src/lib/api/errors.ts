import type { ErrorCode, ErrorIssue } from '$api/errors';

/** Codes the client can see: the server's, plus NETWORK when the server cannot be reached at all. */
export type ClientErrorCode = ErrorCode | 'NETWORK';

/** Every failed call, whatever the transport, is thrown as one of these. */
export class ApiClientError extends Error {
  readonly code: ClientErrorCode;
  readonly issues?: ErrorIssue[];
  /** Machine-readable detail for some codes (TOO_LARGE: `{ fit, fittingContextSize }`). */
  readonly details?: Record<string, unknown>;

  constructor(code: ClientErrorCode, message: string, issues?: ErrorIssue[], details?: Record<string, unknown>) {
    super(message);
    this.name = 'ApiClientError';
    this.code = code;
    if (issues && issues.length > 0) this.issues = issues;
    if (details) this.details = details;
  }

  /** Normalises anything thrown (an IPC error with `.code`, a TypeError, a string) into an ApiClientError. */
  static from(error: unknown): ApiClientError {
    if (error instanceof ApiClientError) return error;
    if (error && typeof error === 'object') {
      const shape = error as { code?: unknown; message?: unknown; issues?: unknown; details?: unknown };
      const message = typeof shape.message === 'string' ? cleanIpcMessage(shape.message) : String(error);
      const code = typeof shape.code === 'string' ? (shape.code as ClientErrorCode) : 'INTERNAL';
      const issues = Array.isArray(shape.issues) ? (shape.issues as ErrorIssue[]) : undefined;
      const details = shape.details && typeof shape.details === 'object' ? (shape.details as Record<string, unknown>) : undefined;
      return new ApiClientError(code, message, issues, details);
    }
    return new ApiClientError('INTERNAL', String(error));
  }
}

/** Electron prefixes errors from `ipcRenderer.invoke` with "Error invoking remote method '…': Error: ". */
function cleanIpcMessage(message: string): string {
  return message.replace(/^Error invoking remote method '[^']*': (?:\w*Error: )?/, '');
}
