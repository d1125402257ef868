import type { BenchmarkResult, EventBus } from '../api';
import { runBenchmark } from '../bench';
import { cpuBandwidth, type CpuBandwidth, type MeasuredSpeed } from '../catalog';
import { cpuCores, probeHardware, systemSources, type HardwareService } from '../hardware';
import { History } from '../history';
import { gpuFromEnv, InferenceEngine } from '../inference';
import type { HearthPaths } from '../paths';
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

  /**
   * What the estimates learn from this device's benchmarks: their decode speeds (newest first) and the
   * CPU bandwidth to estimate with (`cpuBandwidth`: what decode reached, else the memory test's highest).
   */
  measuredOn(device: string): { measured: MeasuredSpeed[]; cpu: CpuBandwidth } {
    const runs = this.list().filter((run) => run.hardware === device && run.decodeTokensPerSecond.n > 0);
    const measured = runs.map((run) => ({
      file: run.model,
      shape: run.shape ?? null,
      quantization: run.quantization,
      gpuLayers: run.gpuLayers,
      threads: run.threads,
      decodeTokensPerSecond: run.decodeTokensPerSecond.mean,
      bytesPerToken: run.bytesPerToken
    }));
    // The highest: a run with fewer threads than decode uses measures less than the bus gives.
    const cpuBandwidths = runs.filter((run) => run.bandwidthSource === 'measured (CPU memory test)').map((run) => run.bandwidthGbPerSecond);
    return { measured, cpu: cpuBandwidth(measured, cpuBandwidths.length > 0 ? Math.max(...cpuBandwidths) : undefined) };
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

/**
 * `hearth bench --model F`: a model file given by path, measured in a process of its own (no app
 * running) and kept with the history's benchmarks. `threads` unset chooses as loads do.
 */
export async function benchmarkFile(
  paths: HearthPaths,
  file: string,
  options: Omit<BenchmarkRequest, 'model'> & { threads?: number },
  onProgress?: (step: string, done: number, total: number) => void
): Promise<BenchmarkResult> {
  const engine = new InferenceEngine({ threads: options.threads, gpu: gpuFromEnv() });
  const history = History.open(paths.databaseFile);
  try {
    const report = await probeHardware(systemSources(() => engine.llama()), paths.modelsDir);
    const measurement = await runBenchmark(await engine.llama(), { ...options, path: file, physicalCores: (await cpuCores()).physical, hardware: deviceKey(report), onProgress });
    return history.benchmarks.add(measurement);
  } finally {
    history.close();
    await engine.dispose();
  }
}
