import type { ServerResponse } from 'node:http';
import type { ApiError, MessageMetrics, StopReason } from '../../api';

export type FinishReason = 'stop' | 'length';

/** OpenAI has two reasons: the model (or a stop sequence) ended it, or a length limit did. */
export function finishReasonOf(stopReason: StopReason): FinishReason {
  return stopReason === 'maxTokens' || stopReason === 'maxTokensInThought' || stopReason === 'contextFull' ? 'length' : 'stop';
}

/** OpenAI's usage: completion tokens are every generated token, the thought's included, which `reasoning_tokens` counts apart. */
export function usageOf(metrics: MessageMetrics) {
  return {
    prompt_tokens: metrics.promptTokens,
    completion_tokens: metrics.outputTokens,
    total_tokens: metrics.promptTokens + metrics.outputTokens,
    completion_tokens_details: { reasoning_tokens: metrics.thoughtTokens }
  };
}

interface OpenAiErrorShape {
  status: number;
  type: 'invalid_request_error' | 'authentication_error' | 'permission_error' | 'not_found_error' | 'rate_limit_error' | 'server_error';
  code: string | null;
}

const errorShapes: Partial<Record<ApiError['code'], OpenAiErrorShape>> = {
  VALIDATION: { status: 400, type: 'invalid_request_error', code: null },
  CONTEXT_FULL: { status: 400, type: 'invalid_request_error', code: 'context_length_exceeded' },
  SETTINGS_INVALID: { status: 400, type: 'invalid_request_error', code: null },
  NOT_FOUND: { status: 404, type: 'not_found_error', code: 'model_not_found' },
  MODEL_NOT_FOUND: { status: 404, type: 'not_found_error', code: 'model_not_found' },
  MODEL_INVALID: { status: 400, type: 'invalid_request_error', code: 'model_not_usable' },
  TOO_LARGE: { status: 400, type: 'invalid_request_error', code: 'model_too_large' },
  NO_MODEL: { status: 400, type: 'invalid_request_error', code: 'model_not_found' },
  BUSY: { status: 429, type: 'rate_limit_error', code: 'server_busy' },
  FORBIDDEN: { status: 403, type: 'permission_error', code: null }
};

export class OpenAiError extends Error {
  constructor(
    readonly status: number,
    readonly type: OpenAiErrorShape['type'],
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null
  ) {
    super(message);
  }

  static from(error: ApiError): OpenAiError {
    const shape = errorShapes[error.code] ?? { status: 500, type: 'server_error' as const, code: null };
    return new OpenAiError(shape.status, shape.type, error.message, error.issues?.[0]?.path ?? null, shape.code);
  }

  body() {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  response.end(JSON.stringify(body));
}

/** Server-sent events the way OpenAI streams: `data: <json>` blocks, ending with `data: [DONE]`. */
export function openStream(response: ServerResponse, headers: Record<string, string>) {
  response.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', ...headers });
  return {
    send: (chunk: unknown) => response.write(`data: ${JSON.stringify(chunk)}\n\n`),
    done: () => response.end('data: [DONE]\n\n')
  };
}
