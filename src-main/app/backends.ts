import { ApiError, parseRemoteModelName, type Drafting, type EngineStatus, type GenerationSettings, type ThinkingSupport } from '../api';
import type { History } from '../history';
import { generateReply, replyFormat, requireCompatibleSettings, ModelSwitchedError, type DraftingRequest, type InferenceEngine, type Reply, type ReplyRequest, type RunOptions, type SequenceKind, type SequenceRun } from '../inference';
import type { Outbound } from '../network';
import { remoteChat, remoteTemplateName } from '../remote';
import type { LoadRequest } from './loader';
import { requireRemoteModel, type RemoteEngines } from './remotes';

/** A reply whose model is ready: how it will be prompted, and the generation itself. */
export interface PreparedReply {
  /** The prompt format's name, recorded on the conversation. */
  template: string;
  /** Whether the model thinks, and whether it can be asked not to; a remote engine is asked, so `switchable`. */
  thinking: ThinkingSupport;
  /**
   * Generates the reply; `request.onDelta` streams its text as it comes. When `signal` aborts, ends
   * with what it has (rejecting only when nothing had started).
   */
  generate(request: ReplyRequest, signal: AbortSignal): Promise<Reply>;
}

/**
 * Where replies come from. The chat, the OpenAI API and the CLI run every reply through one of these:
 * prepare (load or check the model), then generate; stopping is the signal's.
 */
export interface ReplyBackend {
  /** Why a reply cannot start now (a benchmark holds the engine), or null. */
  busyWith(): string | null;
  /**
   * Gets `model` ready for a reply with these settings: loads a local model (waiting for runs on
   * another model to finish), checks a remote engine lists it. `conversationId` names the run in the
   * engine's status. Throws what makes the reply impossible (not installed, too large, bad template).
   */
  prepare(model: string, settings: GenerationSettings, conversationId?: number): Promise<PreparedReply>;
}

/**
 * Where a local backend gets its models: the models folder through the fit guardrail (`ModelLoader`),
 * or one file given by path (`FileModels`, for `hearth chat`).
 */
export interface LocalModels {
  /** Loads the model; with `wait`, a switch waits for runs on another model to finish (else BUSY). */
  load(request: LoadRequest, wait: boolean): Promise<EngineStatus>;
  /** The conversation's drafting choice with its draft model found and checked. */
  resolveDrafting(drafting: Drafting): Promise<DraftingRequest>;
  /** Called after each reply, once the model's buffers have been used: what the load cost is known. */
  settle(): void;
}

/**
 * Replies from the local engine: the chat's sequence (with speculative drafting, and its KV cache kept
 * from one reply to the next) or, for the API, a parallel slot.
 */
export class LocalBackend implements ReplyBackend {
  constructor(
    private readonly engine: InferenceEngine,
    private readonly loader: LocalModels,
    private readonly sequences: SequenceKind
  ) {}

  busyWith(): string | null {
    return this.engine.busyWith();
  }

  async prepare(model: string, settings: GenerationSettings, conversationId?: number): Promise<PreparedReply> {
    const load = this.loadRequest(model, settings);
    const modelPath = await this.ready(load);
    // Only the chat's sequence drafts; the draft model is found and checked before anything is written.
    const drafting: DraftingRequest = this.sequences === 'chat' ? await this.loader.resolveDrafting(settings.drafting) : { kind: 'off' };
    // A named or pasted template that cannot be used is refused now, not halfway through the reply.
    const format = replyFormat(this.engine.loaded!, { settings });
    requireCompatibleSettings(settings);
    return {
      template: format.name,
      thinking: format.thinking,
      generate: async (request, signal) => {
        const reply = await this.onModel(load, modelPath, (run, runSignal) => generateReply(run, request, runSignal), { kind: this.sequences, conversationId, drafting, signal });
        this.loader.settle();
        return reply;
      }
    };
  }

  /**
   * Runs `work` on a sequence of `model` (loaded first, waiting for runs on another model to finish):
   * the one way the chat, the OpenAI API and embeddings reach the engine.
   */
  async run<T>(model: string, work: (run: SequenceRun, signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const load = this.loadRequest(model, null);
    return this.onModel(load, await this.ready(load), work, { kind: this.sequences, signal });
  }

  private loadRequest(model: string, settings: GenerationSettings | null): LoadRequest {
    return { model, ...(settings?.contextSize == null ? {} : { contextSize: settings.contextSize }) };
  }

  /** Loads the model (refused while a benchmark holds the engine); returns its file's path. */
  private async ready(load: LoadRequest): Promise<string> {
    const busy = this.busyWith();
    if (busy) throw new ApiError('BUSY', busy);
    return (await this.loader.load(load, true)).model!.path;
  }

  private async onModel<T>(load: LoadRequest, path: string, work: (run: SequenceRun, signal: AbortSignal) => Promise<T>, options: Omit<RunOptions, 'modelPath'>): Promise<T> {
    let modelPath = path;
    for (;;) {
      try {
        return await this.engine.run(work, { ...options, modelPath });
      } catch (error) {
        // Another model was loaded while this run waited for its turn: load this one again.
        if (!(error instanceof ModelSwitchedError)) throw error;
        modelPath = await this.ready(load);
      }
    }
  }
}

/** Replies from a remote OpenAI-compatible engine (`remote:<engine>/<model>`), which applies its own template. */
export class RemoteBackend implements ReplyBackend {
  constructor(
    private readonly history: History,
    private readonly remotes: RemoteEngines,
    private readonly outbound: Outbound
  ) {}

  busyWith(): null {
    return null;
  }

  async prepare(model: string): Promise<PreparedReply> {
    const reference = parseRemoteModelName(model);
    if (!reference) throw new ApiError('MODEL_NOT_FOUND', `"${model}" is not a remote engine's model.`);
    const engine = this.history.remotes.get(reference.engineId);
    requireRemoteModel(engine, reference.model);
    return {
      template: remoteTemplateName(engine.name),
      thinking: 'switchable',
      generate: async (request, signal) => {
        const reply = await remoteChat(this.outbound, this.remotes.target(reference.engineId), { ...request, model: reference.model, onDelta: request.onDelta ?? (() => undefined) }, signal);
        // The engine knows the model by its own name; Hearth's figures name it by the reference.
        return { ...reply, toolCalls: [], metrics: { ...reply.metrics, model } };
      }
    };
  }
}
