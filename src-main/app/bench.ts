import { ApiError, type BenchmarkResult, type EventBus } from '../api';
import { runBenchmark } from '../bench';
import { cpuCores, type HardwareService } from '../hardware';
import type { History } from '../history';
import type { InferenceEngine } from '../inference';
import { requireUsable, resolveModelFile } from '../models';
import { deviceKey } from './loader';

export interface BenchmarkRequest {
  model: string;
  promptTokens?: number;
  genTokens?: number;
  reps?: number;
  batch?: number[];
}

/** Runs benchmarks one at a time, on an otherwise idle engine, and keeps their results. */
export class BenchmarkService {
  private running = false;

  constructor(
    private readonly engine: InferenceEngine,
    private readonly hardware: HardwareService,
    private readonly history: History,
    private readonly events: EventBus,
    private readonly modelsDir: string
  ) {}

  list(): BenchmarkResult[] {
    return this.history.benchmarks.list();
  }

  /** The model being chatted with is unloaded first: two copies would compete for memory and cores, and skew the figures. */
  async run(request: BenchmarkRequest): Promise<BenchmarkResult> {
    if (this.running) throw new ApiError('BUSY', 'A benchmark is already running.');
    if (this.engine.status().generatingConversationId !== null) throw new ApiError('BUSY', 'A reply is being generated; wait for it or stop it first.');
    this.running = true;
    try {
      const path = await resolveModelFile(this.modelsDir, request.model);
      await requireUsable(this.modelsDir, path);
      await this.engine.unload();
      const report = await this.hardware.report(true);
      const measurement = await runBenchmark(await this.engine.llama(), {
        ...request,
        path,
        physicalCores: (await cpuCores()).physical,
        threads: this.engine.threadsOverride,
        hardware: deviceKey(report),
        onProgress: (step, done, total) => this.events.emit('bench.progress', { model: request.model, step, done, total })
      });
      return this.history.benchmarks.add({ ...measurement, model: request.model });
    } finally {
      this.running = false;
    }
  }
}
