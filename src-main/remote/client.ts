import { ApiError, type GenerationSettings, type MessageMetrics } from '../api';
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
  onDelta: (delta: string, outputTokens: number) => void;
}

/**
 * One streamed chat completion from a remote engine, measured the way local replies are: time to
 * first token and decode speed from the chunks' arrival, token counts from the server's `usage`.
 */
export async function remoteChat(outbound: Outbound, target: RemoteTarget, request: RemoteChatRequest, signal: AbortSignal): Promise<{ text: string; metrics: MessageMetrics }> {
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
    ...(settings.stop.length ? { stop: settings.stop.slice(0, 4) } : {})
  };
  let response: Response;
  try {
    response = await outbound.fetch('remote-engine', endpoint(target, '/chat/completions'), { method: 'POST', headers: headersOf(target), body: JSON.stringify(body), signal });
  } catch (error) {
    if (error instanceof ApiError) throw error;
    if (signal.aborted) return { text: '', metrics: finish(clock, target, request, 'abort', null) };
    throw new ApiError('DOWNLOAD_FAILED', `Could not reach ${target.baseUrl}: ${error instanceof Error ? ((error.cause as Error)?.message ?? error.message) : String(error)}`);
  }
  if (!response.ok || !response.body) throw await failure(response, `${request.model} on ${target.baseUrl}`);

  let text = '';
  let finishReason: string | null = null;
  let usage: { prompt_tokens?: number; completion_tokens?: number } | null = null;
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
        const chunk = JSON.parse(data) as { choices?: { delta?: { content?: string | null }; finish_reason?: string | null }[]; usage?: typeof usage; error?: { message?: string } };
        if (chunk.error) throw new ApiError('DOWNLOAD_FAILED', `The server stopped with an error: ${chunk.error.message ?? 'unknown'}`);
        const choice = chunk.choices?.[0];
        const delta = choice?.delta?.content ?? '';
        if (delta) {
          // Servers send about a token per chunk; the server's usage gives the exact count at the end.
          chunks++;
          clock.tokens(1);
          text += delta;
          request.onDelta(delta, chunks);
        }
        finishReason = choice?.finish_reason ?? finishReason;
        usage = chunk.usage ?? usage;
      }
    }
  } catch (error) {
    if (!signal.aborted) throw error instanceof ApiError ? error : new ApiError('DOWNLOAD_FAILED', `The stream from ${target.baseUrl} broke: ${(error as Error).message}`);
  }
  const stopReason = signal.aborted ? 'abort' : finishReason === 'length' ? 'maxTokens' : 'eos';
  return { text, metrics: finish(clock, target, request, stopReason, usage) };
}

function finish(clock: ReplyClock, target: RemoteTarget, request: RemoteChatRequest, stopReason: MessageMetrics['stopReason'], usage: { prompt_tokens?: number; completion_tokens?: number } | null): MessageMetrics {
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
  return { ...metrics, promptTokens: usage?.prompt_tokens ?? metrics.promptTokens, prefillTokens: usage?.prompt_tokens ?? metrics.prefillTokens, outputTokens: usage?.completion_tokens ?? metrics.outputTokens };
}

/** A remote engine applies its own chat template; this is how replies and conversations name it. */
export function remoteTemplateName(engineName: string): string {
  return `${engineName}'s own`;
}
