import { ApiError, type MessageMetrics } from '../api';
import { generateReply, type InferenceEngine } from '../inference';
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
 * The OpenAI API's side of the app: requests take turns on the loaded model (loading the one they
 * name), wait in a bounded queue behind each other and behind the chat window, and are refused with
 * BUSY (HTTP 429) when the queue is full.
 */
export class OpenAiService implements OpenAiBackend {
  private waiting = 0;
  private turn: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly engine: InferenceEngine,
    private readonly loader: ModelLoader,
    private readonly modelsDir: string,
    private readonly options: OpenAiServiceOptions
  ) {}

  async models(): Promise<string[]> {
    return (await listModels(this.modelsDir)).filter((model) => model.usable).map((model) => model.name);
  }

  generate(job: GenerationJob, signal: AbortSignal, onDelta: (text: string) => void) {
    return this.inTurn(signal, async () => {
      await this.requireInstalled(job.model);
      await this.loader.load({ name: job.model });
      const reply = await this.whenFree(() =>
        this.engine.run(
          null,
          (session, runSignal) =>
            generateReply(
              session,
              job.kind === 'chat'
                ? { systemPrompt: job.systemPrompt, turns: job.turns, settings: job.settings, onDelta: (delta) => onDelta(delta) }
                : { systemPrompt: '', turns: [{ role: 'user', content: job.prompt }], settings: job.settings, plainText: true, onDelta: (delta) => onDelta(delta) },
              runSignal
            ),
          { kind: 'off' },
          signal
        )
      );
      this.loader.settle();
      this.options.onFinished?.(job, reply.text, reply.metrics);
      return reply;
    });
  }

  embed(model: string, inputs: string[]) {
    return this.inTurn(undefined, async () => {
      await this.requireInstalled(model);
      await this.loader.load({ name: model });
      return this.whenFree(() =>
        this.engine.run(null, async (session) => {
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
        })
      );
    });
  }

  private async requireInstalled(model: string): Promise<void> {
    if (!(await this.models()).includes(model)) throw new ApiError('MODEL_NOT_FOUND', `The model "${model}" is not installed; GET /v1/models lists the ones that are.`);
  }

  /** One request at a time, in arrival order; a full queue refuses at once, and a request whose client left never starts. */
  private inTurn<T>(signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
    if (this.waiting >= this.options.queueLimit + 1) {
      return Promise.reject(new ApiError('BUSY', `The server is busy: ${this.waiting} requests are running or waiting. Try again shortly.`));
    }
    this.waiting++;
    const run = this.turn.then(async () => {
      try {
        if (signal?.aborted) throw new ApiError('VALIDATION', 'The client closed the request.');
        return await work();
      } finally {
        this.waiting--;
      }
    });
    this.turn = run.catch(() => undefined);
    return run;
  }

  /** The chat window may be replying: wait for it, then start (retrying if it started again first). */
  private async whenFree<T>(start: () => Promise<T>): Promise<T> {
    for (;;) {
      await this.engine.idle();
      try {
        return await start();
      } catch (error) {
        if (!(error instanceof ApiError && error.code === 'BUSY')) throw error;
      }
    }
  }
}
