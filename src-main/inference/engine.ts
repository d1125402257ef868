import { basename } from 'node:path';
import { stat } from 'node:fs/promises';
import {
  DraftSequenceTokenPredictor,
  getLlama,
  InputLookupTokenPredictor,
  LlamaLogLevel,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaGpuType,
  type LlamaModel
} from 'node-llama-cpp';
import { ApiError, type EngineStatus, type LoadedModel } from '../api';
import { cpuCores } from '../hardware';
import { quantizationOf, readGgufHeader } from '../models';
import { resolvePromptFormat, type PromptFormat } from './template';
import { chooseThreads } from './threads';

export interface EngineOptions {
  /** CPU threads; when unset, chosen from the physical cores and the model's size. */
  threads?: number;
  /** `false` forces the CPU; 'auto' lets node-llama-cpp pick CUDA / Vulkan / Metal when usable. */
  gpu?: 'auto' | LlamaGpuType;
  /** Upper bound on the context size; the model's trained context caps it too. */
  maxContextSize?: number;
  /**
   * Extra context sequences for requests served side by side (the OpenAI API's slots); llama.cpp
   * evaluates them in shared batches. Each holds a full context's KV cache, so 0 unless asked for.
   */
  parallelSlots?: number;
  onStatus?: (status: EngineStatus) => void;
}

interface PooledRun {
  controller: AbortController;
  done: Promise<unknown>;
}

/** What a generation needs from the loaded model; owned by the engine, used by `generateReply`. */
export interface LoadedSession {
  info: LoadedModel;
  model: LlamaModel;
  /** Replaced when a reply asks for another kind of speculative drafting (a sequence's predictor is fixed). */
  sequence: LlamaContextSequence;
  /** The model's own prompt format; a conversation may choose another. */
  format: PromptFormat;
  quantization: string | null;
  /** Memory in use before the load began: what the process holds beyond it is the model's. */
  baselineBytes: number;
}

/** Speculative drafting for a run, with a draft model already resolved to its file. */
export type DraftingRequest = { kind: 'off' } | { kind: 'promptLookup' } | { kind: 'model'; name: string; path: string };

interface DraftModel {
  path: string;
  model: LlamaModel;
  context: LlamaContext;
}

export const defaultMaxContextSize = 4096;

export interface LoadOptions {
  contextSize?: number;
  /** llama.cpp's count (repeating layers + output head); unset lets node-llama-cpp decide. */
  gpuLayers?: number;
  estimatedBytes?: number | null;
  loadNote?: string | null;
}

/** The context a load gets when none is asked for: the trained size, capped. */
export function defaultContextSize(trainContextSize: number, maxContextSize = defaultMaxContextSize): number {
  return Math.min(trainContextSize, maxContextSize);
}

export function gpuFromEnv(env: NodeJS.ProcessEnv = process.env): 'auto' | LlamaGpuType {
  const value = env.HEARTH_GPU?.toLowerCase();
  if (value === 'false' || value === 'cpu' || value === 'off') return false;
  if (value === 'cuda' || value === 'vulkan' || value === 'metal') return value;
  return 'auto';
}

/** One loaded model with one context sequence; one reply generates at a time. */
export class InferenceEngine {
  private llamaPromise: Promise<Llama> | null = null;
  private session: LoadedSession | null = null;
  private context: LlamaContext | null = null;
  private state: EngineStatus['state'] = 'idle';
  private error: string | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private active: { controller: AbortController; conversationId: number | null; done: Promise<unknown> } | null = null;
  private drafting = 'off';
  private slots: { sequence: LlamaContextSequence; run: PooledRun | null }[] = [];
  private draft: DraftModel | null = null;

  constructor(private readonly options: EngineOptions = {}) {}

  status(): EngineStatus {
    return {
      state: this.state,
      model: this.session?.info ?? null,
      error: this.error,
      generatingConversationId: this.active?.conversationId ?? null
    };
  }

  /** The thread count the user fixed (HEARTH_THREADS or --threads), if any. */
  get threadsOverride(): number | undefined {
    return this.options.threads;
  }

  get loaded(): LoadedSession | null {
    return this.session;
  }

  /** Loads (or keeps) the model at `path`; loads and unloads are serialised. */
  load(path: string, name = basename(path), options: LoadOptions = {}): Promise<EngineStatus> {
    return this.serially(async () => {
      const current = this.session?.info;
      const sameRequest =
        current?.path === path &&
        (options.contextSize === undefined || options.contextSize === current.contextSize) &&
        (options.gpuLayers === undefined || options.gpuLayers === current.gpuLayers);
      if (sameRequest) return this.status();
      if (this.active || this.slots.some((slot) => slot.run)) throw new ApiError('BUSY', 'A reply is being generated; stop it before switching models.');
      await this.release();
      this.setState('loading', null);
      try {
        this.session = await this.open(path, name, options);
        this.setState('ready', null);
      } catch (error) {
        await this.release();
        const failure = error instanceof ApiError ? error : new ApiError('MODEL_INVALID', `Could not load ${name}: ${messageOf(error)}`);
        this.setState('error', failure.message);
        throw failure;
      }
      return this.status();
    });
  }

  unload(): Promise<EngineStatus> {
    return this.serially(async () => {
      this.active?.controller.abort();
      await this.active?.done;
      await this.stopPooled();
      await this.release();
      this.setState('idle', null);
      return this.status();
    });
  }

  /**
   * Runs one generation with exclusive use of the sequence. The abort controller it gets is what
   * `stop()` aborts.
   */
  async run<T>(
    conversationId: number | null,
    work: (session: LoadedSession, signal: AbortSignal) => Promise<T>,
    drafting: DraftingRequest = { kind: 'off' },
    /** Aborts the run too (an API client that went away). */
    signal?: AbortSignal
  ): Promise<T> {
    const session = this.session;
    if (!session) throw new ApiError('NO_MODEL', 'No model is loaded. Pick one from the models folder first.');
    if (this.active) throw new ApiError('BUSY', 'A reply is already being generated; wait for it or stop it.');
    const controller = new AbortController();
    signal?.addEventListener('abort', () => controller.abort(), { once: true });
    const done = this.useDrafting(session, drafting).then(() => work(session, controller.signal));
    this.active = { controller, conversationId, done: done.catch(() => undefined) };
    this.emit();
    try {
      return await done;
    } finally {
      this.active = null;
      await this.remeasure(session);
      this.emit();
    }
  }

  /** Free parallel slots (0 when the engine has none, or nothing is loaded). */
  get freeSlots(): number {
    return this.slots.filter((slot) => !slot.run).length;
  }

  get parallelSlots(): number {
    return this.options.parallelSlots ?? 0;
  }

  /**
   * Runs one generation on a free parallel slot, beside the chat window's and the other slots'. The
   * session it gets carries the slot's own sequence.
   */
  async runPooled<T>(work: (session: LoadedSession, signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const session = this.session;
    if (!session) throw new ApiError('NO_MODEL', 'No model is loaded. Pick one from the models folder first.');
    const slot = this.slots.find((candidate) => !candidate.run);
    if (!slot) throw new ApiError('BUSY', `All ${this.slots.length} slots are busy.`);
    const controller = new AbortController();
    signal?.addEventListener('abort', () => controller.abort(), { once: true });
    const done = work({ ...session, sequence: slot.sequence }, controller.signal);
    slot.run = { controller, done: done.catch(() => undefined) };
    try {
      return await done;
    } finally {
      slot.run = null;
      // The next request on this slot starts from an empty context: nothing of this one's text stays behind.
      await slot.sequence.clearHistory().catch(() => undefined);
    }
  }

  private async stopPooled(): Promise<void> {
    const runs = this.slots.flatMap((slot) => (slot.run ? [slot.run] : []));
    for (const run of runs) run.controller.abort();
    await Promise.all(runs.map((run) => run.done));
  }

  /** Resolves once no generation runs (a new one may start at once after). */
  async idle(): Promise<void> {
    while (this.active) await this.active.done;
  }

  /** Stops the running generation (for one conversation, when given); true when there was one to stop. */
  stop(conversationId?: number): boolean {
    if (!this.active) return false;
    if (conversationId !== undefined && this.active.conversationId !== conversationId) return false;
    this.active.controller.abort();
    return true;
  }

  /** Gives the session a sequence with the requested token predictor (and loads a draft model for it). */
  private async useDrafting(session: LoadedSession, drafting: DraftingRequest): Promise<void> {
    const key = drafting.kind === 'model' ? `model:${drafting.path}` : drafting.kind;
    if (key === this.drafting) return;
    const context = this.context!;
    // The draft model is opened (and checked) first: a refused draft leaves the session as it was.
    const draft = drafting.kind === 'model' ? await this.openDraft(session, drafting) : null;
    session.sequence.dispose();
    await this.releaseDraft();
    this.draft = draft;
    if (this.draft) {
      const predictor = new DraftSequenceTokenPredictor(this.draft.context.getSequence(), {
        minTokens: 0,
        maxTokens: 8,
        // A reply's token bias belongs to the target model's vocabulary object; the draft proposes freely and the target decides.
        evaluateOptions: { tokenBias: undefined }
      });
      session.sequence = context.getSequence({ tokenPredictor: predictor });
    } else {
      session.sequence = context.getSequence(drafting.kind === 'promptLookup' ? { tokenPredictor: new InputLookupTokenPredictor() } : undefined);
    }
    this.drafting = key;
  }

  private async openDraft(session: LoadedSession, drafting: { name: string; path: string }): Promise<DraftModel> {
    const llama = await this.llama();
    const model = await llama.loadModel({ modelPath: drafting.path });
    try {
      const probe = 'Once upon a time, 42 cats said: "Hello, world!"\n';
      const sameVocabulary =
        model.tokens.bos === session.model.tokens.bos &&
        model.tokens.eos === session.model.tokens.eos &&
        model.tokenize(probe).join() === session.model.tokenize(probe).join();
      if (!sameVocabulary) {
        throw new ApiError('SETTINGS_INVALID', `The draft model ${drafting.name} has a different vocabulary from ${session.info.name}; speculative decoding needs a model with the same tokenizer.`);
      }
      const context = await model.createContext({ contextSize: Math.min(session.info.contextSize, model.trainContextSize), threads: session.info.threads });
      return { path: drafting.path, model, context };
    } catch (error) {
      await model.dispose();
      throw error;
    }
  }

  private async releaseDraft(): Promise<void> {
    const draft = this.draft;
    this.draft = null;
    await draft?.context.dispose();
    await draft?.model.dispose();
  }

  /** Buffers are touched only when used: after a generation the process shows what the model really holds. */
  private async remeasure(session: LoadedSession): Promise<void> {
    const llama = await this.llamaPromise?.catch(() => null);
    if (!llama || this.session !== session) return;
    session.info.measuredBytes = Math.max(session.info.measuredBytes, (await memoryInUse(llama)) - session.baselineBytes);
  }

  async dispose(): Promise<void> {
    await this.unload();
    const llama = await this.llamaPromise?.catch(() => null);
    await llama?.dispose();
    this.llamaPromise = null;
  }

  private async open(path: string, name: string, options: LoadOptions): Promise<LoadedSession> {
    const fileInfo = await readGgufHeader(path);
    const modelBytes = (await stat(path)).size;
    const llama = await this.llama();
    const threads = chooseThreads({ override: this.options.threads, physicalCores: (await cpuCores()).physical, modelBytes });
    const before = await memoryInUse(llama);
    const startedAt = performance.now();
    const model = await llama.loadModel({ modelPath: path, ...(options.gpuLayers === undefined ? {} : { gpuLayers: options.gpuLayers }) });
    try {
      const contextSize = options.contextSize ?? defaultContextSize(model.trainContextSize, this.options.maxContextSize);
      const parallelSlots = this.options.parallelSlots ?? 0;
      this.context = await model.createContext({ contextSize, threads, sequences: 1 + parallelSlots });
      const sequence = this.context.getSequence();
      const context = this.context;
      this.slots = Array.from({ length: parallelSlots }, () => ({ sequence: context.getSequence(), run: null }));
      const format = resolvePromptFormat(model);
      const info: LoadedModel = {
        name,
        path,
        chatTemplate: format.name,
        isBaseModel: format.kind === 'base',
        contextSize: this.context.contextSize,
        threads,
        gpu: llama.gpu,
        gpuLayers: model.gpuLayers,
        loadMs: performance.now() - startedAt,
        estimatedBytes: options.estimatedBytes ?? null,
        // Freed memory the allocator reuses can make a tiny model's growth look negative: it cost nothing measurable.
        measuredBytes: Math.max(0, (await memoryInUse(llama)) - before),
        loadNote: options.loadNote ?? null
      };
      return {
        info,
        model,
        sequence,
        format,
        quantization: quantizationOf(fileInfo),
        baselineBytes: before
      };
    } catch (error) {
      await this.context?.dispose();
      this.context = null;
      await model.dispose();
      throw error;
    }
  }

  /** The one llama.cpp instance (its backend and VRAM state are what the hardware probe reports). */
  llama(): Promise<Llama> {
    this.llamaPromise ??= getLlama({
      gpu: this.options.gpu ?? 'auto',
      // Never compile llama.cpp on a user's machine behind their back; the prebuilt binaries ship in npm packages.
      build: 'never',
      logLevel: LlamaLogLevel.warn,
      logger: (level, message) => console.error(`[llama.cpp:${level}] ${message.trimEnd()}`)
    });
    this.llamaPromise.catch(() => (this.llamaPromise = null));
    return this.llamaPromise;
  }

  private async release(): Promise<void> {
    const session = this.session;
    this.session = null;
    await this.stopPooled();
    this.slots = [];
    this.drafting = 'off';
    await this.releaseDraft();
    await this.context?.dispose();
    this.context = null;
    await session?.model.dispose();
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private setState(state: EngineStatus['state'], error: string | null): void {
    this.state = state;
    this.error = error;
    this.emit();
  }

  private emit(): void {
    this.options.onStatus?.(this.status());
  }
}

/** This process's resident memory plus the VRAM in use: what a load adds to both is what it cost. */
async function memoryInUse(llama: Llama): Promise<number> {
  const vram = llama.gpu === false ? 0 : (await llama.getVramState().catch(() => ({ used: 0 }))).used;
  return process.memoryUsage().rss + vram;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0] : String(error);
}
