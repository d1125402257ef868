import type { BenchmarkResult, EventBus } from '../api';
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

/**
 * Runs benchmarks one at a time, holding the engine: a benchmark is refused while a reply runs, and
 * replies are refused (with the reason) while it runs, so neither skews the other's figures.
 */
export class BenchmarkService {
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

  /** The model being chatted with is unloaded for the benchmark and loaded again afterwards (see `InferenceEngine.hold`). */
  async run(request: BenchmarkRequest): Promise<BenchmarkResult> {
    const path = await resolveModelFile(this.modelsDir, request.model);
    await requireUsable(this.modelsDir, path);
    return this.engine.hold(`A benchmark of ${request.model} is running; wait for it to finish.`, async () => {
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
    });
  }
}
