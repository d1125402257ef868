import type { ServerResponse } from 'node:http';
import type { ApiError, MessageMetrics, ReplySegment, StopReason } from '../../api';
import type { ApiReply, TokenLogprob } from '../../app';

export type FinishReason = 'stop' | 'length' | 'tool_calls';

/** OpenAI's reasons: the model (or a stop sequence) ended it, a length limit did, or it called tools. */
export function finishReasonOf(stopReason: StopReason): FinishReason {
  if (stopReason === 'toolCalls') return 'tool_calls';
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

/** Chat completions' log probabilities: each token, its bytes and its alternatives. */
function chatLogprobs(entries: TokenLogprob[]) {
  return {
    content: entries.map(({ token, logprob, bytes, top }) => ({ token, logprob, bytes, top_logprobs: top.map(({ token: text, logprob: value, bytes: raw }) => ({ token: text, logprob: value, bytes: raw })) })),
    refusal: null
  };
}

/** The legacy completions' log probabilities: parallel lists, alternatives as token → logprob, offsets into the text. */
function textLogprobs(entries: TokenLogprob[], startOffset = 0) {
  let offset = startOffset;
  const textOffset = entries.map((entry) => {
    const at = offset;
    offset += entry.token.length;
    return at;
  });
  return {
    tokens: entries.map((entry) => entry.token),
    token_logprobs: entries.map((entry) => entry.logprob),
    top_logprobs: entries.map((entry) => Object.fromEntries(entry.top.map((alternative) => [alternative.token, alternative.logprob]))),
    text_offset: textOffset
  };
}

/**
 * The shapes of one reply, chat (`chat.completion[.chunk]`) or legacy text (`text_completion`), whole or
 * as stream chunks. A thought travels as `reasoning_content`, the field llama.cpp's server, LM Studio and
 * DeepSeek's API use; log probabilities only when asked for.
 */
export function replyShapes(object: 'chat' | 'text', meta: { id: string; created: number; model: string }, logprobs: boolean) {
  let textOffset = 0;
  const head = (kind: string) => ({ id: meta.id, object: kind, created: meta.created, model: meta.model });
  return {
    chunk(delta: string | null, finish: string | null, segment: ReplySegment = 'answer', entries: TokenLogprob[] | null = null) {
      if (object === 'text') {
        const shaped = logprobs && entries ? textLogprobs(entries, textOffset) : null;
        textOffset += delta?.length ?? 0;
        return { ...head('text_completion'), choices: [{ index: 0, text: delta ?? '', finish_reason: finish, logprobs: shaped }] };
      }
      const content = delta === null ? {} : segment === 'thought' ? { reasoning_content: delta } : { content: delta };
      return {
        ...head('chat.completion.chunk'),
        choices: [{ index: 0, delta: content, finish_reason: finish, ...(logprobs ? { logprobs: entries && entries.length > 0 ? chatLogprobs(entries) : null } : {}) }]
      };
    },
    /** A tool call's new arguments text; its first chunk also names the call and its tool. */
    toolCall(call: { index: number; id: string; name: string; argumentsDelta: string; first: boolean }) {
      const entry = call.first
        ? { index: call.index, id: call.id, type: 'function', function: { name: call.name, arguments: call.argumentsDelta } }
        : { index: call.index, function: { arguments: call.argumentsDelta } };
      return { ...head('chat.completion.chunk'), choices: [{ index: 0, delta: { tool_calls: [entry] }, finish_reason: null }] };
    },
    /** The stream's opening chunk: the role, before any text. */
    role() {
      return { ...head('chat.completion.chunk'), choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] };
    },
    /** The stream's last chunk, with the figures (`stream_options.include_usage`). */
    usage(metrics: MessageMetrics) {
      return { ...head(object === 'chat' ? 'chat.completion.chunk' : 'text_completion'), choices: [], usage: usageOf(metrics) };
    },
    whole(reply: ApiReply) {
      const finish = finishReasonOf(reply.metrics.stopReason);
      const shaped = logprobs && reply.logprobs ? reply.logprobs : null;
      const choice =
        object === 'chat'
          ? {
              index: 0,
              message: {
                role: 'assistant',
                // A reply that only called tools has no content, as OpenAI's has none.
                content: reply.text === '' && reply.toolCalls.length > 0 ? null : reply.text,
                ...(reply.thought ? { reasoning_content: reply.thought } : {}),
                ...(reply.toolCalls.length > 0
                  ? { tool_calls: reply.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } })) }
                  : {})
              },
              finish_reason: finish,
              logprobs: shaped ? chatLogprobs(shaped) : null
            }
          : { index: 0, text: reply.text, finish_reason: finish, logprobs: shaped ? textLogprobs(shaped) : null };
      return { ...head(object === 'chat' ? 'chat.completion' : 'text_completion'), choices: [choice], usage: usageOf(reply.metrics) };
    }
  };
}
