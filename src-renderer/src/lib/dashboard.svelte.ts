import { createContext } from 'svelte';
import type { BenchmarkResult, Events, ReplyFilters, ReplyRecord, TelemetrySample } from '$api/contract';
import { ApiClientError, type HearthApi } from './api';
import { CostState } from './cost.svelte';
import { dayRange, mergeSamples, parseBatchSizes } from './dashboardStats';
import { downloadText } from './download';
import type { EngineState } from './engine.svelte';
import type { ErrorState } from './errors.svelte';
import { Task } from './task.svelte';
import type { ToastState } from './toast.svelte';

/** Each lease keeps the sampler going this long; the open dashboard renews it well before it ends. */
const leaseSeconds = 30;
const renewEveryMs = 10_000;

/** The live charts' samples: the server's recent ones, then one per `telemetry.sample` event. */
class LiveState {
  samples = $state.raw<TelemetrySample[]>([]);

  constructor(
    private readonly api: HearthApi,
    private readonly errors: ErrorState
  ) {}

  add(added: readonly TelemetrySample[]): void {
    this.samples = mergeSamples(this.samples, added);
  }

  async load(): Promise<void> {
    try {
      this.add(await this.api.call('telemetry.recent', {}));
    } catch (error) {
      this.errors.report(error, 'Could not read the live figures');
    }
  }

  async watch(): Promise<void> {
    try {
      await this.api.call('telemetry.watch', { seconds: leaseSeconds });
    } catch (error) {
      this.errors.report(error, 'Could not keep the live figures coming');
    }
  }
}

/** Stored replies, filtered by model and days; the charts, table, comparisons and CSV all use the same filters. */
class RepliesState {
  records = $state.raw<ReplyRecord[]>([]);
  /** A model reference (as `models.list` names it); empty for all models. */
  model = $state('');
  /** Date inputs' values ("2025-03-01"); empty leaves that end open. */
  from = $state('');
  to = $state('');
  loading = $state(false);
  /** Models seen in any answer, so the filter still offers a model whose file has since been deleted. */
  seenModels = $state<string[]>([]);

  filters = $derived<ReplyFilters>({ ...(this.model ? { model: this.model } : {}), ...dayRange(this.from, this.to) });

  /** Installed models and models that replied, by their reference (.by: it reads a constructor parameter). */
  modelChoices = $derived.by(() =>
    [...new Set([...this.engine.models.filter((model) => model.usable).map((model) => model.name), ...this.seenModels])].sort((a, b) =>
      a.localeCompare(b)
    )
  );

  private seq = 0;

  constructor(
    private readonly api: HearthApi,
    private readonly engine: EngineState,
    private readonly errors: ErrorState
  ) {}

  async refresh(): Promise<void> {
    const seq = ++this.seq;
    this.loading = true;
    try {
      const records = await this.api.call('dashboard.replies', this.filters);
      if (seq !== this.seq) return;
      this.records = records;
      const unseen = records.map((record) => record.metrics.model).filter((model) => !this.seenModels.includes(model));
      if (unseen.length > 0) this.seenModels = [...new Set([...this.seenModels, ...unseen])];
    } catch (error) {
      if (seq === this.seq) this.errors.report(error, 'Could not read the stored replies');
    } finally {
      if (seq === this.seq) this.loading = false;
    }
  }

  async exportCsv(): Promise<void> {
    try {
      const file = await this.api.call('dashboard.exportCsv', this.filters);
      downloadText(file.filename, file.mimeType, file.content);
    } catch (error) {
      this.errors.report(error, 'Could not export the replies');
    }
  }
}

export type BenchProgress = Events['bench.progress'];

/** The benchmark form, the run in progress, and the stored results (newest first). */
class BenchState {
  results = $state.raw<BenchmarkResult[]>([]);
  model = $state('');
  /** Null while a field is empty: the server's default is used. */
  promptTokens = $state<number | null>(512);
  genTokens = $state<number | null>(128);
  reps = $state<number | null>(5);
  batch = $state('1, 2, 4');
  /** The run: under way, or why the last one could not start or failed (shown in the panel: BUSY is an answer, not a crash). */
  readonly job = new Task(describeFailure);
  progress = $state<BenchProgress | null>(null);

  constructor(
    private readonly api: HearthApi,
    private readonly errors: ErrorState
  ) {}

  async refresh(): Promise<void> {
    try {
      this.results = await this.api.call('bench.list', {});
    } catch (error) {
      this.errors.report(error, 'Could not list the benchmarks');
    }
  }

  onProgress(progress: BenchProgress): void {
    if (this.job.running && progress.model === this.model) this.progress = progress;
  }

  async run(): Promise<void> {
    const batch = parseBatchSizes(this.batch);
    if (!this.model) {
      this.job.problem = 'Choose a model first.';
      return;
    }
    if (!batch) {
      this.job.problem = 'Parallel sequences: up to 6 whole numbers from 1 to 16, separated by commas.';
      return;
    }
    this.progress = null;
    await this.job.run(async () => {
      const result = await this.api.call('bench.run', {
        model: this.model,
        batch,
        ...(this.promptTokens !== null ? { promptTokens: this.promptTokens } : {}),
        ...(this.genTokens !== null ? { genTokens: this.genTokens } : {}),
        ...(this.reps !== null ? { reps: this.reps } : {})
      });
      this.results = [result, ...this.results.filter((item) => item.id !== result.id)];
    });
    this.progress = null;
  }
}

function describeFailure(error: unknown): string {
  const failure = ApiClientError.from(error);
  if (!failure.issues?.length) return failure.message;
  return `${failure.message} ${failure.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`;
}

/** The dashboard's stores. The view's code, these included, loads when the dashboard first opens. */
export class Dashboard {
  readonly live: LiveState;
  readonly replies: RepliesState;
  readonly bench: BenchState;
  readonly cost: CostState;

  constructor(
    private readonly api: HearthApi,
    private readonly engine: EngineState,
    errors: ErrorState,
    toast: ToastState
  ) {
    this.live = new LiveState(api, errors);
    this.replies = new RepliesState(api, engine, errors);
    this.bench = new BenchState(api, errors);
    this.cost = new CostState(api, errors, toast);
  }

  /**
   * What the open dashboard keeps going: the sampler's lease (renewed while the page is visible), live
   * samples, benchmark progress, and new replies. Returns what stops it all when the view closes.
   */
  open(): () => void {
    const { live, replies, bench, cost } = this;
    const renew = () => {
      if (document.visibilityState === 'visible') void live.watch();
    };
    renew();
    void live.load();
    const timer = setInterval(renew, renewEveryMs);
    document.addEventListener('visibilitychange', renew);
    const unsubscribers = [
      this.api.on('telemetry.sample', (sample) => live.add([sample])),
      this.api.on('bench.progress', (progress) => bench.onProgress(progress)),
      this.api.on('chat.end', () => void replies.refresh())
    ];
    void this.engine.refresh();
    void bench.refresh();
    if (!cost.saved) void cost.load();
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', renew);
      unsubscribers.forEach((unsubscribe) => unsubscribe());
    };
  }
}

/** The dashboard view hands its stores to the components inside it, which take them with `getDashboard()`. */
export const [getDashboard, setDashboard] = createContext<Dashboard>();
