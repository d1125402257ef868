import { stat } from 'node:fs/promises';
import type { Llama, LlamaEmbeddingContext, LlamaModel } from 'node-llama-cpp';
import { Mutex } from 'async-mutex';
import { ApiError, errorMessageOf } from '../api';
import { cpuCores } from '../hardware';
import { chooseThreads } from './threads';

/** The embedding context's size: enough for any chunk Hearth cuts, small enough to cost little memory. */
export const embeddingContextCap = 2048;

/**
 * An embedding model loaded beside the chat's (its own model and embedding context on the one llama.cpp
 * instance), so indexing never unloads or waits for the model a conversation uses. Loaded on first use,
 * kept until `close`; one embedding at a time (the context has one sequence).
 */
export class Embedder {
  private model: LlamaModel | null = null;
  private context: LlamaEmbeddingContext | null = null;
  private contextSize = 0;
  private readonly lock = new Mutex();

  constructor(
    private readonly llama: () => Promise<Llama>,
    /** The name the settings and the vector table know it by (its name in the models folder). */
    readonly name: string,
    /** The model file. */
    readonly path: string,
    /** The thread count the user fixed, if any (else chosen from the cores and the model's size). */
    private readonly threadsOverride?: number
  ) {}

  /** The length of its vectors (the model's embedding size); loads it. */
  async dimension(): Promise<number> {
    const { model } = await this.open();
    return model.embeddingVectorSize;
  }

  /** The most tokens one input may have. */
  async contextTokens(): Promise<number> {
    await this.open();
    return this.contextSize;
  }

  /**
   * Its token count of `text`, special tokens read as plain text (a document holding `<|im_end|>` or `</s>`
   * is counted as the characters it shows). Synchronous once loaded: call `dimension` first.
   */
  countTokens(text: string): number {
    if (!this.model) throw new Error('The embedding model is not loaded yet.');
    return this.model.tokenize(text, false).length;
  }

  /**
   * Unit-length vectors of `texts` (cosine similarity is then a dot product), in order, and the tokens read.
   * Special tokens in the texts are text. An input longer than the context is cut to it (chunks never are;
   * a long query keeps its beginning). Stops between inputs when `signal` aborts.
   */
  async embed(texts: readonly string[], signal?: AbortSignal): Promise<{ vectors: Float32Array[]; tokens: number }> {
    const { model, context } = await this.open();
    return this.lock.runExclusive(async () => {
      const vectors: Float32Array[] = [];
      let tokens = 0;
      for (const text of texts) {
        signal?.throwIfAborted();
        // llama.cpp wants room for one more token than the input.
        const ids = model.tokenize(text, false).slice(0, this.contextSize - 1);
        tokens += ids.length;
        vectors.push(unitLength(ids.length === 0 ? new Float32Array(model.embeddingVectorSize) : Float32Array.from((await context.getEmbeddingFor(ids)).vector)));
      }
      return { vectors, tokens };
    });
  }

  async close(): Promise<void> {
    await this.lock.runExclusive(async () => {
      await this.context?.dispose();
      await this.model?.dispose();
      this.context = null;
      this.model = null;
    });
  }

  private open(): Promise<{ model: LlamaModel; context: LlamaEmbeddingContext }> {
    return this.lock.runExclusive(async () => {
      if (this.model && this.context) return { model: this.model, context: this.context };
      try {
        const llama = await this.llama();
        const threads = chooseThreads({ override: this.threadsOverride, physicalCores: (await cpuCores()).physical, modelBytes: (await stat(this.path)).size });
        const model = await llama.loadModel({ modelPath: this.path });
        try {
          this.contextSize = Math.min(model.trainContextSize, embeddingContextCap);
          this.context = await model.createEmbeddingContext({ contextSize: this.contextSize, threads });
        } catch (error) {
          await model.dispose();
          throw error;
        }
        this.model = model;
        return { model, context: this.context };
      } catch (error) {
        throw new ApiError('MODEL_INVALID', `The embedding model ${this.name} could not be loaded: ${errorMessageOf(error)}`);
      }
    });
  }
}

/** Scaled to length 1; a zero vector (an empty input) stays zero. */
function unitLength(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const value of vector) sum += value * value;
  const length = Math.sqrt(sum);
  return length > 0 ? vector.map((value) => value / length) : vector;
}
