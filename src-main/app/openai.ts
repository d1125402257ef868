import { ApiError, type MessageMetrics } from '../api';
import type { History } from '../history';
import { titleFrom } from './chat';
import { generateReply, type InferenceEngine, type LoadedSession } from '../inference';
import { listModels } from '../models';
import type { GenerationJob, OpenAiBackend } from '../server/openai';
import type { ModelLoader } from './loader';

export interface OpenAiServiceOptions {
  /** Requests that may wait for the model beyond the one running; more get 429. */
  queueLimit: number;
  /** Told about every finished request, to record it (dashboard, and history when the user wants). */
  onFinished?: (job: GenerationJob, text: string, metrics: MessageMetrics) => void;
}

/**
 * The OpenAI API's side of the app: requests run on the loaded model (loading the one they name), side
 * by side on the engine's parallel slots, wait in a bounded queue beyond them, and are refused with BUSY
 * (HTTP 429) when the queue is full.
 */
export class OpenAiService implements OpenAiBackend {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly engine: InferenceEngine,
    private readonly loader: ModelLoader,
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

  generate(job: GenerationJob, signal: AbortSignal, onDelta: (text: string) => void) {
    return this.withSlot(signal, async () => {
      await this.ensureLoaded(job.model, signal);
      const reply = await this.onModel(
        (session, runSignal) =>
          generateReply(
            session,
            job.kind === 'chat'
              ? { systemPrompt: job.systemPrompt, turns: job.turns, settings: job.settings, onDelta: (delta) => onDelta(delta) }
              : { systemPrompt: '', turns: [{ role: 'user', content: job.prompt }], settings: job.settings, plainText: true, onDelta: (delta) => onDelta(delta) },
            runSignal
          ),
        signal
      );
      this.loader.settle();
      this.options.onFinished?.(job, reply.text, reply.metrics);
      return reply;
    });
  }

  embed(model: string, inputs: string[]) {
    return this.withSlot(undefined, async () => {
      await this.ensureLoaded(model);
      return this.onModel(async (session) => {
        const contextSize = Math.min(session.info.contextSize, 2048);
        const context = await session.model.createEmbeddingContext({ threads: session.info.threads, contextSize });
        try {
          const vectors: number[][] = [];
          let promptTokens = 0;
          for (const input of inputs) {
            const tokens = session.model.tokenize(input);
            if (tokens.length > contextSize) throw new ApiError('CONTEXT_FULL', `An input is ${tokens.length} tokens; the embedding context holds ${contextSize}.`);
            promptTokens += tokens.length;
            vectors.push([...(await context.getEmbeddingFor(tokens)).vector]);
          }
          return { vectors, promptTokens };
        } finally {
          await context.dispose();
        }
      });
    });
  }

  private async requireInstalled(model: string): Promise<void> {
    if (!(await this.models()).includes(model)) throw new ApiError('MODEL_NOT_FOUND', `The model "${model}" is not installed; GET /v1/models lists the ones that are.`);
  }

  /** Loads the named model; another model is switched to once the requests running on the current one are done. */
  private async ensureLoaded(model: string, signal?: AbortSignal): Promise<void> {
    await this.requireInstalled(model);
    for (;;) {
      try {
        await this.loader.load({ name: model });
        return;
      } catch (error) {
        if (!(error instanceof ApiError && error.code === 'BUSY') || signal?.aborted) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /** A parallel slot when the engine has them; otherwise the chat's sequence, once the chat window is not replying. */
  private async onModel<T>(work: (session: LoadedSession, signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.engine.parallelSlots > 0) return this.engine.runPooled(work, signal);
    for (;;) {
      await this.engine.idle();
      try {
        return await this.engine.run(null, work, { kind: 'off' }, signal);
      } catch (error) {
        if (!(error instanceof ApiError && error.code === 'BUSY')) throw error;
      }
    }
  }

  /**
   * At most `capacity` requests run; up to `queueLimit` more wait in arrival order; beyond that BUSY
   * (HTTP 429) at once. A request whose client left while waiting never starts.
   */
  private async withSlot<T>(signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
    if (this.running + this.waiting.length >= this.capacity + this.options.queueLimit) {
      throw new ApiError('BUSY', `The server is busy: ${this.running} requests are running and ${this.waiting.length} waiting. Try again shortly.`);
    }
    // A finished request hands its slot straight to the next in line, so a newcomer cannot take it in between.
    if (this.running >= this.capacity) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      if (signal?.aborted) throw new ApiError('VALIDATION', 'The client closed the request.');
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/**
 * Keeps what an API request cost for the dashboard; with "store API chats" on, the chat itself too,
 * as a conversation titled after its last message.
 */
export function recordApiChat(history: History, job: GenerationJob, text: string, metrics: MessageMetrics): void {
  const endpoint = job.kind === 'chat' ? '/v1/chat/completions' : '/v1/completions';
  if (!history.preferences.apiServer().storeChats) {
    history.store.recordApiRequest(endpoint, metrics);
    return;
  }
  const turns = job.kind === 'chat' ? job.turns : [{ role: 'user' as const, content: job.prompt }];
  history.db.transaction(() => {
    const conversation = history.store.createConversation({ title: `API · ${titleFrom(turns.at(-1)?.content ?? endpoint)}`, modelPath: job.model, systemPrompt: job.kind === 'chat' ? job.systemPrompt : '', settings: job.settings });
    for (const turn of turns) history.store.addMessage(conversation.id, { role: turn.role, content: turn.content, status: 'complete' });
    const reply = history.store.addMessage(conversation.id, { role: 'assistant', content: '', status: 'streaming' });
    history.store.finishMessage(reply.id, text, 'complete', null, metrics);
  })();
}
