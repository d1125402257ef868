import type { FitReport, LoadedModel } from '$api/contract';
import { ApiClientError, type HearthApi } from './api';
import type { ChatState } from './chat.svelte';
import { debouncer } from './debounce';
import type { EngineState } from './engine.svelte';
import type { ErrorState } from './errors.svelte';

/** A load the guardrail refused: its explanation, and the context that would fit (if any). */
export interface Refusal {
  message: string;
  fittingContextSize: number | null;
  contextSize: number;
}

export interface InstalledFit {
  report: FitReport | null;
  problem: string | null;
}

/** The installed models' fit estimates (at the what-if context, F16 cache: what Load uses) and their loads. */
export class InstalledState {
  fits = $state<Record<string, InstalledFit>>({});
  refusals = $state<Record<string, Refusal>>({});
  estimating = $state(false);

  private seq = 0;
  private readonly debounce = debouncer(150);

  constructor(
    private readonly api: HearthApi,
    private readonly chat: ChatState,
    private readonly engine: EngineState,
    private readonly errors: ErrorState
  ) {}

  schedule(names: string[], contextSize: number): void {
    this.debounce.schedule(() => void this.estimateAll(names, contextSize));
  }

  async estimateAll(names: string[], contextSize: number): Promise<void> {
    const seq = ++this.seq;
    this.estimating = true;
    const results = await Promise.all(
      names.map(async (name): Promise<[string, InstalledFit]> => {
        try {
          return [name, { report: await this.api.call('catalog.estimate', { source: { installed: name }, contextSize }), problem: null }];
        } catch (error) {
          return [name, { report: null, problem: ApiClientError.from(error).message }];
        }
      })
    );
    if (seq !== this.seq) return;
    this.fits = Object.fromEntries(results);
    this.estimating = false;
  }

  /** Loads a model; a TOO_LARGE refusal is kept for its row (with what would fit), anything else goes to the banner. */
  async load(name: string, options: { contextSize: number; force?: boolean }): Promise<boolean> {
    const { [name]: _previous, ...others } = this.refusals;
    this.refusals = others;
    try {
      await this.engine.loadModel(name, options);
    } catch (error) {
      const failure = ApiClientError.from(error);
      if (failure.code === 'TOO_LARGE') {
        const fitting = failure.details?.fittingContextSize;
        this.refusals = {
          ...this.refusals,
          [name]: { message: failure.message, fittingContextSize: typeof fitting === 'number' ? fitting : null, contextSize: options.contextSize }
        };
      } else {
        this.errors.report(failure, `Could not load ${name}`);
      }
      return false;
    }
    // A new chat uses what was just loaded.
    if (!this.chat.conversation) this.chat.draft.model = name;
    return true;
  }
}

/** "estimated X, measured Y" needs both figures; the estimate is missing when the guardrail retried the load. */
export function hasMeasurement(model: LoadedModel | null): model is LoadedModel & { estimatedBytes: number } {
  return Boolean(model && model.estimatedBytes !== null);
}
