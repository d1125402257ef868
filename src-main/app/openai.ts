import { ApiError, type GenerationSettings, type ReplySegment } from '../api';
import type { History } from '../history';
import { randomUUID } from 'node:crypto';
import { requireVocabularyTokens, type InferenceEngine, type Reply, type ReplyTools, type TokenLogprob, type ToolCall, type Turn } from '../inference';
import { listModels } from '../models';
import type { LocalBackend } from './backends';
import { titleFrom } from './chat';

/** One generation the API asks for: a chat (system prompt and turns) or a prompt to continue, as text or token ids. */
export type GenerationJob = (
  | { kind: 'chat'; model: string; systemPrompt: string; turns: Turn[]; settings: GenerationSettings; tools?: Omit<ReplyTools, 'onCallChunk'> | null }
  | { kind: 'completion'; model: string; prompt: string | number[]; settings: GenerationSettings }
) & {
  /** Log probabilities of each token with this many alternatives (0–20); null for none. */
  logprobs?: number | null;
};

/** A tool call as the API names it: an id the client answers with, the tool, its arguments as JSON text. */
export interface ApiToolCall extends ToolCall {
  id: string;
}

/** An API reply: the answer, the thought, the figures, each answer token's log probability when asked for, and its tool calls with their ids. */
export interface ApiReply extends Omit<Reply, 'toolCalls'> {
  logprobs: TokenLogprob[] | null;
  toolCalls: ApiToolCall[];
}

/** What a streaming API reply hands out as it is generated. */
export interface ApiStream {
  /** New thought or answer text; an answer's with the log probabilities of the tokens it completes (when asked for). */
  delta(text: string, segment: ReplySegment, logprobs: TokenLogprob[] | null): void;
  /** New arguments text of tool call `index` (its id and name come with its first chunk). */
  toolCall(call: { index: number; id: string; name: string; argumentsDelta: string; first: boolean }): void;
}

/** What the OpenAI-compatible server (server/openai) serves from. */
export interface OpenAiBackend {
  /** Installed, usable models by the names the API takes. */
  models(): Promise<string[]>;
  /**
   * Runs the job when a sequence is free; BUSY (429) when too many wait; SETTINGS_INVALID (400) when it
   * asks a model that always thinks not to; `stream`, when given, hears the reply as it is generated.
   */
  generate(job: GenerationJob, signal: AbortSignal, stream?: ApiStream): Promise<ApiReply>;
  /** Unit-length embeddings (as OpenAI's and llama.cpp's are) of texts or token ids; VALIDATION for ids outside the vocabulary. */
  embed(model: string, inputs: (string | number[])[], signal?: AbortSignal): Promise<{ vectors: number[][]; promptTokens: number }>;
}

export interface OpenAiServiceOptions {
  /** Requests that may wait for the model beyond those running, read at each request; more get 429. */
  queueLimit: () => number;
  /** Told about every finished request, to record it (dashboard, and history when the user wants). */
  onFinished?: (job: GenerationJob, reply: Reply) => void;
}

/**
 * The OpenAI API's side of the app: requests run through the local reply backend on the engine's
 * parallel slots (or the chat's sequence when there are none), loading the model they name; the engine's
 * sequence locks make them wait in arrival order, up to `queueLimit` beyond what runs, and BUSY (HTTP 429)
 * beyond that. A request whose client leaves while it waits never runs.
 */
export class OpenAiService implements OpenAiBackend {
  private admitted = 0;

  constructor(
    private readonly engine: InferenceEngine,
    private readonly backend: LocalBackend,
    private readonly modelsDir: string,
    private readonly options: OpenAiServiceOptions
  ) {}

  /** Requests that run at once: the engine's parallel slots, or one on the chat's sequence. */
  private get capacity(): number {
    return Math.max(1, this.engine.parallelSlots);
  }

  async models(): Promise<string[]> {
    return (await listModels(this.modelsDir)).filter((model) => model.usable).map((model) => model.name);
  }

  generate(job: GenerationJob, signal: AbortSignal, stream?: ApiStream) {
    return this.admit(async () => {
      await this.requireInstalled(job.model);
      const prepared = await this.backend.prepare(job.model, job.settings);
      if (job.kind === 'chat' && !job.settings.thinking && prepared.thinking === 'always') {
        throw new ApiError(
          'SETTINGS_INVALID',
          `${job.model} always thinks before it answers: its chat template has no way to switch thinking off. Leave thinking on, or cap it with reasoning_effort "low".`
        );
      }
      // A token's log probability arrives before its text, which a stop string may hold back: each answer
      // delta carries the entries of the tokens whose text it completes; those of text never shown are dropped.
      const wanted = job.logprobs ?? null;
      const pending: TokenLogprob[] = [];
      const sent: TokenLogprob[] = [];
      const onDelta = (delta: string, _tokens: number, segment: ReplySegment) => {
        const entries = wanted === null || segment !== 'answer' ? null : pending.splice(0);
        if (entries) sent.push(...entries);
        stream?.delta(delta, segment, entries);
      };
      const logprobs = wanted === null ? undefined : { top: wanted, onToken: (entry: TokenLogprob) => pending.push(entry) };
      // Each call gets its id when its first arguments arrive; the whole reply names its calls the same way.
      const ids: string[] = [];
      const idOf = (index: number) => (ids[index] ??= `call_${randomUUID().replaceAll('-', '').slice(0, 24)}`);
      const tools =
        job.kind === 'chat' && job.tools
          ? {
              ...job.tools,
              onCallChunk: ({ index, name, argumentsDelta }: { index: number; name: string; argumentsDelta: string }) => {
                const first = ids[index] === undefined;
                stream?.toolCall({ index, id: idOf(index), name, argumentsDelta, first });
              }
            }
          : undefined;
      const request =
        job.kind === 'chat'
          ? { systemPrompt: job.systemPrompt, turns: job.turns, settings: job.settings, onDelta, logprobs, tools }
          : typeof job.prompt === 'string'
            ? { systemPrompt: '', turns: [{ role: 'user' as const, content: job.prompt }], settings: job.settings, plainText: true, onDelta, logprobs }
            : { systemPrompt: '', turns: [], promptTokens: job.prompt, settings: job.settings, plainText: true, onDelta, logprobs };
      const reply = await prepared.generate(request, signal).catch((error: unknown) => {
        throw apiContextError(error);
      });
      this.options.onFinished?.(job, reply);
      return { ...reply, logprobs: wanted === null ? null : sent, toolCalls: reply.toolCalls.map((call, index) => ({ ...call, id: idOf(index) })) };
    });
  }

  embed(model: string, inputs: string[], signal?: AbortSignal) {
    return this.admit(async () => {
      await this.requireInstalled(model);
      return this.backend.run(
        model,
        async ({ session }) => {
          const contextSize = Math.min(session.info.contextSize, 2048);
          const context = await session.model.createEmbeddingContext({ threads: session.info.threads, contextSize });
          try {
            const vectors: number[][] = [];
            let promptTokens = 0;
            for (const input of inputs) {
              const tokens = typeof input === 'string' ? session.model.tokenize(input) : requireVocabularyTokens(session.model, input);
              if (tokens.length > contextSize) throw new ApiError('CONTEXT_FULL', `An input is ${tokens.length} tokens; the embedding context holds ${contextSize}.`);
              promptTokens += tokens.length;
              vectors.push(unitLength([...(await context.getEmbeddingFor(tokens)).vector]));
            }
            return { vectors, promptTokens };
          } finally {
            await context.dispose();
          }
        },
        signal
      );
    });
  }

  private async requireInstalled(model: string): Promise<void> {
    if (!(await this.models()).includes(model)) throw new ApiError('MODEL_NOT_FOUND', `The model "${model}" is not installed; GET /v1/models lists the ones that are.`);
  }

  /** At most `capacity + queueLimit` requests are admitted (running or waiting); beyond that BUSY (HTTP 429) at once. */
  private async admit<T>(work: () => Promise<T>): Promise<T> {
    if (this.admitted >= this.capacity + this.options.queueLimit()) {
      throw new ApiError('BUSY', `The server is busy: ${this.admitted} requests are running or waiting. Try again shortly.`);
    }
    this.admitted++;
    try {
      return await work();
    } finally {
      this.admitted--;
    }
  }
}

/** Scaled to length 1: cosine similarity is then a dot product, as clients of OpenAI's embeddings assume. */
function unitLength(vector: number[]): number[] {
  const length = Math.hypot(...vector);
  return length > 0 ? vector.map((value) => value / length) : vector;
}

/**
 * An API request that does not fit the context is refused with the sizes, never cut short: a client
 * that sent a history expects the model to read all of it (the app's own chats have their overflow policy).
 */
function apiContextError(error: unknown): unknown {
  if (!(error instanceof ApiError) || error.code !== 'CONTEXT_FULL' || !error.details) return error;
  const { promptTokens, contextSize, reserve } = error.details as { promptTokens: number; contextSize: number; reserve: number };
  return new ApiError(
    'CONTEXT_FULL',
    `This request's messages take ${promptTokens} tokens and the reply needs room for ${reserve} more, but the model's context holds ${contextSize}. Send fewer or shorter messages, or lower max_tokens.`,
    undefined,
    error.details
  );
}

/**
 * Keeps what an API request cost for the dashboard; with "store API chats" on, the chat itself too,
 * as a conversation titled after its last message.
 */
export function recordApiChat(history: History, job: GenerationJob, reply: Reply): void {
  const endpoint = job.kind === 'chat' ? '/v1/chat/completions' : '/v1/completions';
  if (!history.preferences.apiServer().storeChats) {
    history.replies.recordApiRequest(endpoint, reply.metrics);
    return;
  }
  const turns =
    job.kind === 'chat' ? job.turns : [{ role: 'user' as const, content: typeof job.prompt === 'string' ? job.prompt : `(${job.prompt.length} token ids)` }];
  history.recordApiChat({
    title: `API · ${titleFrom(turns.at(-1)?.content ?? endpoint)}`,
    model: job.model,
    systemPrompt: job.kind === 'chat' ? job.systemPrompt : '',
    settings: job.settings,
    turns,
    reply: { content: reply.text, thought: reply.thought, metrics: reply.metrics }
  });
}
