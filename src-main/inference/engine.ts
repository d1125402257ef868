import { basename } from 'node:path';
import { getLlama, LlamaLogLevel, type Llama, type LlamaContextSequence, type LlamaGpuType } from 'node-llama-cpp';
import { ApiError, type EngineStatus } from '../api';
import { ChatSequence, type DraftingRequest } from './drafting';
import { SequencePool, type SequenceKind } from './sequences';
import { closeSession, openSession, remeasured, type LoadedSession, type LoadOptions, type SequenceRun } from './session';

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

export interface RunOptions {
  /** The chat's sequence (its KV cache carries the conversation), or any parallel slot. */
  kind: SequenceKind;
  /** Shown as the engine's `generatingConversationId` while the run holds the chat's sequence. */
  conversationId?: number;
  /** Speculative drafting; only the chat's sequence drafts. */
  drafting?: DraftingRequest;
  /** Stops the run, or its wait for a sequence. */
  signal?: AbortSignal;
  /** The model file the run was prepared for: another one loaded meanwhile throws `ModelSwitchedError`. */
  modelPath?: string;
}

/** The model a run was prepared for was replaced while it waited: load it again and retry. */
export class ModelSwitchedError extends Error {
  constructor(readonly wanted: string) {
    super(`${basename(wanted)} was replaced by another model while this run waited.`);
    this.name = 'ModelSwitchedError';
  }
}

interface ActiveRun {
  controller: AbortController;
  conversationId: number | null;
}

/**
 * One loaded model, its context's sequences and the runs on them. Loads and unloads take every
 * sequence (they wait for the runs before them); a run holds one sequence; a benchmark holds the
 * whole engine and new runs are refused with its reason meanwhile.
 */
export class InferenceEngine {
  private llamaPromise: Promise<Llama> | null = null;
  private session: LoadedSession | null = null;
  private chatSequence: ChatSequence | null = null;
  private slotSequences: LlamaContextSequence[] = [];
  private readonly pool: SequencePool;
  private readonly runs = new Set<ActiveRun>();
  private state: EngineStatus['state'] = 'idle';
  private error: string | null = null;
  private heldFor: string | null = null;

  constructor(private readonly options: EngineOptions = {}) {
    this.pool = new SequencePool(options.parallelSlots ?? 0);
  }

  status(): EngineStatus {
    const chatRun = [...this.runs].find((run) => run.conversationId !== null);
    return { state: this.state, model: this.session?.info ?? null, error: this.error, generatingConversationId: chatRun?.conversationId ?? null };
  }

  /** The thread count the user fixed (HEARTH_THREADS or --threads), if any. */
  get threadsOverride(): number | undefined {
    return this.options.threads;
  }

  get parallelSlots(): number {
    return this.pool.slotCount;
  }

  get loaded(): LoadedSession | null {
    return this.session;
  }

  /** Runs holding a sequence right now. */
  get activeRuns(): number {
    return this.runs.size;
  }

  /** Why a new run would be refused now (a benchmark holds the engine), or null. */
  busyWith(): string | null {
    return this.heldFor;
  }

  /**
   * Loads (or keeps) the model at `path`. With `wait`, a switch waits for the runs on the current
   * model to finish; without, it is refused with BUSY while any runs.
   */
  load(path: string, name = basename(path), options: LoadOptions = {}, wait = false): Promise<EngineStatus> {
    if (this.isLoaded(path, options)) return Promise.resolve(this.status());
    const swap = async () => {
      if (!this.isLoaded(path, options)) await this.open(path, name, options);
      return this.status();
    };
    return wait ? this.pool.exclusive(swap) : this.pool.exclusiveNow(this.heldFor ?? 'A reply is being generated; stop it before switching models.', swap);
  }

  /** Stops every run, then unloads. */
  unload(): Promise<EngineStatus> {
    for (const run of this.runs) run.controller.abort();
    return this.pool.exclusive(async () => {
      await this.release();
      this.setState('idle', null);
      return this.status();
    });
  }

  /**
   * Runs `work` on one sequence of the loaded model, after waiting its turn for one (in arrival order).
   * The signal `work` gets aborts when the caller's does, or when the model is unloaded.
   */
  async run<T>(work: (run: SequenceRun, signal: AbortSignal) => Promise<T>, options: RunOptions): Promise<T> {
    if (this.heldFor) throw new ApiError('BUSY', this.heldFor);
    const controller = new AbortController();
    const forward = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', forward, { once: true });
    const run: ActiveRun = { controller, conversationId: options.kind === 'chat' ? (options.conversationId ?? null) : null };
    try {
      if (options.signal?.aborted) forward();
      const lease = await this.pool.acquire(options.kind, controller.signal);
      let sequence: LlamaContextSequence | null = null;
      try {
        // A benchmark may have started while this run waited.
        if (this.heldFor) throw new ApiError('BUSY', this.heldFor);
        const session = this.session;
        if (!session) throw new ApiError('NO_MODEL', 'No model is loaded. Pick one from the models folder first.');
        if (options.modelPath !== undefined && session.info.path !== options.modelPath) throw new ModelSwitchedError(options.modelPath);
        sequence = lease.index === 0 ? await this.chatSequence!.with(await this.llama(), session, options.drafting ?? { kind: 'off' }) : this.slotSequences[lease.index - 1];
        this.runs.add(run);
        this.emit();
        return await work({ session, sequence }, controller.signal);
      } finally {
        // The next request on a slot starts from an empty context: nothing of this one's text stays behind.
        if (lease.index > 0) await sequence?.clearHistory().catch(() => undefined);
        if (this.runs.delete(run)) await this.remeasure();
        lease.release();
        this.emit();
      }
    } finally {
      options.signal?.removeEventListener('abort', forward);
    }
  }

  /**
   * Holds the whole engine for `work` (a benchmark, which loads models of its own): refused with BUSY
   * while anything runs or loads, and new runs are refused with `reason` meanwhile. The loaded model is
   * unloaded for the duration (two copies would compete for memory and cores) and loaded again after.
   */
  hold<T>(reason: string, work: () => Promise<T>): Promise<T> {
    if (this.heldFor) return Promise.reject(new ApiError('BUSY', this.heldFor));
    return this.pool.exclusiveNow('A reply is being generated or a model is loading; wait for it or stop it first.', async () => {
      this.heldFor = reason;
      const before = this.session?.info ?? null;
      try {
        await this.release();
        this.setState('idle', null);
        return await work();
      } finally {
        if (before) {
          await this.open(before.path, before.name, { contextSize: before.contextSize, gpuLayers: before.gpuLayers, estimatedBytes: before.estimatedBytes, loadNote: before.loadNote }).catch(() => undefined);
        }
        this.heldFor = null;
      }
    });
  }

  async dispose(): Promise<void> {
    await this.unload();
    const llama = await this.llamaPromise?.catch(() => null);
    await llama?.dispose();
    this.llamaPromise = null;
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

  /** Replaces whatever is loaded with the model at `path`; call only with every sequence held. */
  private async open(path: string, name: string, options: LoadOptions): Promise<void> {
    await this.release();
    this.setState('loading', null);
    try {
      const llama = await this.llama();
      const session = await openSession(llama, path, name, { ...options, threads: this.options.threads, maxContextSize: this.options.maxContextSize, sequences: 1 + this.pool.slotCount });
      this.session = session;
      this.chatSequence = new ChatSequence(session.context);
      this.slotSequences = Array.from({ length: this.pool.slotCount }, () => session.context.getSequence());
      this.setState('ready', null);
    } catch (error) {
      await this.release();
      const failure = error instanceof ApiError ? error : new ApiError('MODEL_INVALID', `Could not load ${name}: ${messageOf(error)}`);
      this.setState('error', failure.message);
      throw failure;
    }
  }

  private isLoaded(path: string, options: LoadOptions): boolean {
    const current = this.session?.info;
    return (
      current?.path === path &&
      (options.contextSize === undefined || options.contextSize === current.contextSize) &&
      (options.gpuLayers === undefined || options.gpuLayers === current.gpuLayers)
    );
  }

  private async remeasure(): Promise<void> {
    const llama = await this.llamaPromise?.catch(() => null);
    const session = this.session;
    if (!llama || !session) return;
    const measured = await remeasured(llama, session);
    if (this.session === session) this.session = measured;
  }

  private async release(): Promise<void> {
    const session = this.session;
    this.session = null;
    await this.chatSequence?.dispose();
    this.chatSequence = null;
    this.slotSequences = [];
    if (session) await closeSession(session);
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

export function gpuFromEnv(env: NodeJS.ProcessEnv = process.env): 'auto' | LlamaGpuType {
  const value = env.HEARTH_GPU?.toLowerCase();
  if (value === 'false' || value === 'cpu' || value === 'off') return false;
  if (value === 'cuda' || value === 'vulkan' || value === 'metal') return value;
  return 'auto';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0] : String(error);
}
