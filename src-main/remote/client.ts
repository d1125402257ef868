import { ApiError, type GenerationSettings, type MessageMetrics, type ReplySegment } from '../api';
import type { Turn } from '../inference';
import { ReplyClock } from '../inference';
import type { Outbound } from '../network';

export interface RemoteTarget {
  /** What the user called the engine. */
  name: string;
  baseUrl: string;
  apiKey: string | null;
}

function headersOf(target: RemoteTarget): Record<string, string> {
  return { 'Content-Type': 'application/json', ...(target.apiKey ? { Authorization: `Bearer ${target.apiKey}` } : {}) };
}

function endpoint(target: RemoteTarget, path: string): string {
  return `${target.baseUrl.replace(/\/+$/, '')}${path}`;
}

async function failure(response: Response, what: string): Promise<ApiError> {
  const body = (await response.json().catch(() => null)) as { error?: { message?: string } | string } | null;
  const detail = typeof body?.error === 'string' ? body.error : body?.error?.message;
  if (response.status === 401 || response.status === 403) return new ApiError('FORBIDDEN', `${what}: the server refused the key (HTTP ${response.status})${detail ? `: ${detail}` : ''}.`);
  if (response.status === 404) return new ApiError('NOT_FOUND', `${what}: not found on the server (HTTP 404)${detail ? `: ${detail}` : ''}.`);
  if (response.status === 429) return new ApiError('BUSY', `${what}: the server is busy (HTTP 429); try again shortly.`);
  return new ApiError('DOWNLOAD_FAILED', `${what}: the server answered HTTP ${response.status}${detail ? `: ${detail}` : ''}.`);
}

/** The models an OpenAI-compatible server offers (GET /models). */
export async function listRemoteModels(outbound: Outbound, target: RemoteTarget): Promise<string[]> {
  const response = await outbound.fetch('remote-engine', endpoint(target, '/models'), { headers: headersOf(target), signal: AbortSignal.timeout(15_000) }).catch((error: unknown) => {
    if (error instanceof ApiError) throw error;
    throw new ApiError('DOWNLOAD_FAILED', `Could not reach ${target.baseUrl}: ${error instanceof Error ? ((error.cause as Error)?.message ?? error.message) : String(error)}`);
  });
  if (!response.ok) throw await failure(response, 'Listing the models');
  const body = (await response.json().catch(() => null)) as { data?: { id?: unknown }[] } | null;
  if (!Array.isArray(body?.data)) throw new ApiError('DOWNLOAD_FAILED', `${target.baseUrl} did not answer like an OpenAI-compatible server (GET /models gave no "data" list).`);
  return body.data.flatMap((entry) => (typeof entry.id === 'string' ? [entry.id] : []));
}

export interface RemoteChatRequest {
  model: string;
  systemPrompt: string;
  turns: Turn[];
  settings: GenerationSettings;
  onDelta: (delta: string, outputTokens: number, segment: ReplySegment) => void;
}

/** What a remote engine's usage says; `completion_tokens` includes reasoning tokens (OpenAI's and llama.cpp's convention). */
interface Usage {
  prompt_tokens?: number;
  completion_tokens?: number;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
}

/** A streamed chunk's delta: the answer in `content`; the thought in `reasoning_content` (llama.cpp, LM Studio, DeepSeek, Hearth) or `reasoning` (vLLM, OpenRouter). */
interface StreamDelta {
  content?: string | null;
  reasoning_content?: string | null;
  reasoning?: string | null;
}

/**
 * One streamed chat completion from a remote engine, measured the way local replies are: time to
 * first token (of any kind), thinking time and decode speed from the chunks' arrival, token counts
 * from the server's `usage`. The thought comes from the deltas' reasoning fields; with thinking off the
 * request asks for the template's no-thinking form (`chat_template_kwargs.enable_thinking`, which
 * llama.cpp, vLLM and Hearth read), sent only then because OpenAI's own API refuses unknown fields.
 */
export async function remoteChat(
  outbound: Outbound,
  target: RemoteTarget,
  request: RemoteChatRequest,
  signal: AbortSignal
): Promise<{ text: string; thought: string; metrics: MessageMetrics }> {
  const clock = new ReplyClock();
  const { settings } = request;
  const messages = [
    ...(request.systemPrompt ? [{ role: 'system', content: request.systemPrompt }] : []),
    ...request.turns.map((turn) => ({ role: turn.role, content: turn.content }))
  ];
  const body = {
    model: request.model,
    messages,
    stream: true,
    stream_options: { include_usage: true },
    temperature: settings.temperature,
    top_p: settings.topP,
    max_tokens: settings.maxTokens,
    presence_penalty: settings.presencePenalty,
    frequency_penalty: settings.frequencyPenalty,
    ...(settings.seed === null ? {} : { seed: settings.seed }),
    ...(settings.stop.length ? { stop: settings.stop.slice(0, 4) } : {}),
    ...(settings.thinking ? {} : { chat_template_kwargs: { enable_thinking: false } })
  };
  let response: Response;
  try {
    response = await outbound.fetch('remote-engine', endpoint(target, '/chat/completions'), { method: 'POST', headers: headersOf(target), body: JSON.stringify(body), signal });
  } catch (error) {
    if (error instanceof ApiError) throw error;
    if (signal.aborted) return { text: '', thought: '', metrics: finish(clock, target, request, 'abort', null) };
    throw new ApiError('DOWNLOAD_FAILED', `Could not reach ${target.baseUrl}: ${error instanceof Error ? ((error.cause as Error)?.message ?? error.message) : String(error)}`);
  }
  if (!response.ok || !response.body) throw await failure(response, `${request.model} on ${target.baseUrl}`);

  let text = '';
  let thought = '';
  let finishReason: string | null = null;
  let usage: Usage | null = null;
  let chunks = 0;
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(bytes, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split('\n').filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trim()).join('');
        if (!data || data === '[DONE]') continue;
        const chunk = JSON.parse(data) as { choices?: { delta?: StreamDelta; finish_reason?: string | null }[]; usage?: Usage | null; error?: { message?: string } };
        if (chunk.error) throw new ApiError('DOWNLOAD_FAILED', `The server stopped with an error: ${chunk.error.message ?? 'unknown'}`);
        const choice = chunk.choices?.[0];
        const thoughtDelta = choice?.delta?.reasoning_content ?? choice?.delta?.reasoning ?? '';
        // The blank line between a thought and its answer is not part of the answer.
        const answerDelta = text === '' && thought !== '' ? (choice?.delta?.content ?? '').replace(/^\s+/, '') : (choice?.delta?.content ?? '');
        for (const [segment, delta] of [['thought', thoughtDelta], ['answer', answerDelta]] as const) {
          if (!delta) continue;
          // Servers send about a token per chunk; the server's usage gives the exact count at the end.
          chunks++;
          clock.tokens(1, segment);
          if (segment === 'thought') thought += delta;
          else text += delta;
          request.onDelta(delta, chunks, segment);
        }
        finishReason = choice?.finish_reason ?? finishReason;
        usage = chunk.usage ?? usage;
      }
    }
  } catch (error) {
    if (!signal.aborted) throw error instanceof ApiError ? error : new ApiError('DOWNLOAD_FAILED', `The stream from ${target.baseUrl} broke: ${(error as Error).message}`);
  }
  const stopReason = signal.aborted ? 'abort' : finishReason === 'length' ? (text === '' && thought !== '' ? 'maxTokensInThought' : 'maxTokens') : 'eos';
  return { text, thought, metrics: finish(clock, target, request, stopReason, usage) };
}

function finish(clock: ReplyClock, target: RemoteTarget, request: RemoteChatRequest, stopReason: MessageMetrics['stopReason'], usage: Usage | null): MessageMetrics {
  const metrics = clock.finish({
    stopReason,
    stopSequence: null,
    model: request.model,
    quantization: null,
    chatTemplate: remoteTemplateName(target.name),
    settings: request.settings,
    threads: 0,
    gpuLayers: 0,
    contextSize: 0,
    droppedTurns: 0,
    speculation: null,
    beam: null
  });
  if (usage?.completion_tokens !== undefined && metrics.ttftMs !== null && metrics.outputTokens > 1) {
    // Rescale to the server's token count: chunk arrival gives the timing, usage the tokens.
    const decodeSeconds = (metrics.outputTokens - 1) / (metrics.decodeTokensPerSecond ?? Infinity);
    metrics.decodeTokensPerSecond = decodeSeconds > 0 ? Math.max(0, usage.completion_tokens - 1) / decodeSeconds : metrics.decodeTokensPerSecond;
  }
  return {
    ...metrics,
    promptTokens: usage?.prompt_tokens ?? metrics.promptTokens,
    prefillTokens: usage?.prompt_tokens ?? metrics.prefillTokens,
    outputTokens: usage?.completion_tokens ?? metrics.outputTokens,
    thoughtTokens: usage?.completion_tokens_details?.reasoning_tokens ?? metrics.thoughtTokens
  };
}

/** A remote engine applies its own chat template; this is how replies and conversations name it. */
export function remoteTemplateName(engineName: string): string {
  return `${engineName}'s own`;
}
