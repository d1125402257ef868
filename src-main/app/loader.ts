import { basename } from 'node:path';
import { ApiError, expectedResidentBytes, type Drafting, type EngineStatus, type FitReport, type HardwareReport, type KvCacheTypeName } from '../api';
import { budgetFrom, fitReport, geometryFromGguf, largestFittingContext, nodeLlamaCppEstimate, type ModelGeometry } from '../catalog';
import type { HardwareService } from '../hardware';
import type { FitMeasurements } from '../history';
import { defaultContextSize, type DraftingRequest, type InferenceEngine } from '../inference';
import { quantizationOf, requireUsable, resolveModelFile } from '../models';

/** Loads smaller than this are not used to correct estimates. */
export const minimumMeasuredEstimate = 256 * 1024 * 1024;

export interface LoadRequest {
  /** A local model reference (its name in the models folder). */
  model: string;
  contextSize?: number;
  gpuLayers?: number;
  force?: boolean;
}

/** Where corrections are kept apart: estimates on one machine's GPU say nothing about another's. */
export function deviceKey(hardware: HardwareReport): string {
  const llama = hardware.llama;
  if (!llama || llama.backend === 'cpu') return `cpu:${hardware.cpu.model ?? 'unknown'}`;
  return `${llama.backend}:${llama.deviceNames.join('+') || 'unknown'}`;
}

function isOutOfMemory(error: unknown): boolean {
  const text = error instanceof Error ? `${error.name} ${error.message}` : String(error);
  return /InsufficientMemory|out of memory|failed to allocate|ErrorOutOfDeviceMemory|cudaMalloc/i.test(text);
}

/**
 * Loads a model with the fit estimate as a guardrail: refuses what will not fit (offering what
 * would), retries a load that still runs out of memory with fewer GPU layers or a smaller context,
 * and records estimate against measurement so later estimates on this device are corrected.
 */
export class ModelLoader {
  private pendingMeasurement: { key: string; modelFile: string; quantization: string | null; contextSize: number; gpuLayers: number; estimatedBytes: number } | null = null;

  constructor(
    private readonly engine: InferenceEngine,
    private readonly hardware: HardwareService,
    private readonly measurements: FitMeasurements,
    private readonly modelsDir: string
  ) {}

  /** A conversation's drafting choice with its draft model found and checked in the models folder. */
  async resolveDrafting(drafting: Drafting): Promise<DraftingRequest> {
    if (drafting.kind !== 'model') return drafting;
    const path = await resolveModelFile(this.modelsDir, drafting.name);
    await requireUsable(this.modelsDir, path);
    return { kind: 'model', name: drafting.name, path };
  }

  /** The probe, with the memory of the model that a new load replaces counted as free. */
  private async hardwareForLoad(): Promise<HardwareReport> {
    const report = await this.hardware.report(true);
    const loaded = this.engine.status().model;
    if (!loaded) return report;
    return { ...report, memory: { ...report.memory, availableBytes: report.memory.availableBytes + Math.max(0, loaded.measuredBytes) } };
  }

  /** `cpuBandwidthGbPerSecond`: what this machine's benchmarks say (`cpuBandwidth`), for the speed estimate. */
  async estimateInstalled(name: string, contextSize: number, kvCacheType: KvCacheTypeName = 'f16', gpuLayers?: number, cpuBandwidthGbPerSecond?: number): Promise<FitReport> {
    const path = await resolveModelFile(this.modelsDir, name);
    const info = await requireUsable(this.modelsDir, path);
    const hardware = await this.hardwareForLoad();
    const correction = this.measurements.correction(deviceKey(hardware));
    const { report } = fitReport(name, geometryFromGguf(info), hardware, { contextSize, kvCacheType, gpuLayers, correction, cpuBandwidthGbPerSecond });
    // The dry run knows only the default F16 cache; for other cache types it would not compare like with like.
    const dryRun = kvCacheType === 'f16' ? await nodeLlamaCppEstimate(await this.engine.llama(), info, report.gpuLayers, contextSize).catch(() => null) : null;
    return { ...report, nodeLlamaCpp: dryRun };
  }

  /**
   * Loads the model through the guardrail. With `wait`, a switch from another model waits for the runs
   * on it to finish (replies, API requests); without, it is refused with BUSY while any runs.
   */
  async load(request: LoadRequest, wait = false): Promise<EngineStatus> {
    const path = await resolveModelFile(this.modelsDir, request.model);
    const loaded = this.engine.status().model;
    if (loaded?.path === path && request.contextSize === undefined && request.gpuLayers === undefined) return this.engine.status();
    const info = await requireUsable(this.modelsDir, path);
    const geometry = geometryFromGguf(info);
    const hardware = await this.hardwareForLoad();
    const key = deviceKey(hardware);
    const correction = this.measurements.correction(key);
    // Beyond its trained context a model degrades and llama.cpp warns; cap it and say so.
    const trained = geometry.contextLength || Infinity;
    const contextSize = Math.min(request.contextSize ?? defaultContextSize(geometry.contextLength || 2048), trained);
    const cappedNote = request.contextSize !== undefined && request.contextSize > trained ? `Context capped at the model's trained ${trained} tokens (${request.contextSize} was asked for).` : null;
    // Every parallel slot holds a KV cache as large as the chat's: the estimate counts them all.
    const cachedTokens = contextSize * (1 + this.engine.parallelSlots);
    const { report, fit } = fitReport(request.model, geometry, hardware, { contextSize: cachedTokens, kvCacheType: 'f16', gpuLayers: request.gpuLayers, correction });
    if (report.fitClass === 'too-large' && !request.force) throw this.refusal(report, geometry, hardware, contextSize);

    const attempts = this.attempts(contextSize, request.gpuLayers ?? fit.split.gpuLayers, hasGpu(hardware));
    let lastError: unknown = null;
    for (const [index, attempt] of attempts.entries()) {
      const loadNote = index === 0 ? cappedNote : `Ran out of memory at first; loaded with ${attempt.gpuLayers} GPU layers and a context of ${attempt.contextSize} tokens instead.`;
      // Compared with the RSS a load shows, so the CPU's repacked copies count; where they would not fit
      // in free RAM the OS reclaims file pages and the measurement says nothing about the estimate.
      const estimatedBytes = attempt === attempts[0] && report.cpu.totalBytes + report.cpu.repackBytes <= report.ramFreeBytes ? expectedResidentBytes(report) : null;
      try {
        const status = await this.engine.load(path, request.model, { ...attempt, gpuLayers: hasGpu(hardware) ? attempt.gpuLayers : undefined, estimatedBytes, loadNote }, wait);
        this.pendingMeasurement = estimatedBytes
          ? { key, modelFile: basename(path), quantization: quantizationOf(info), contextSize: attempt.contextSize, gpuLayers: attempt.gpuLayers, estimatedBytes: estimatedBytes / (correction?.factor ?? 1) }
          : null;
        return status;
      } catch (error) {
        lastError = error;
        if (!isOutOfMemory(error)) throw error;
      }
    }
    throw new ApiError('TOO_LARGE', `${request.model} ran out of memory even with fewer GPU layers and a smaller context: ${String((lastError as Error)?.message ?? lastError)}`);
  }

  /**
   * Called after a reply: the buffers have been used by then, so what the process holds is what the
   * load really costs. Recorded once per load, against the uncorrected estimate.
   */
  settle(): void {
    const loaded = this.engine.status().model;
    const pending = this.pendingMeasurement;
    if (!loaded || !pending) return;
    // For tiny models the runtime's fixed cost dominates the ratio and would skew every later estimate.
    if (pending.estimatedBytes < minimumMeasuredEstimate) {
      this.pendingMeasurement = null;
      return;
    }
    this.pendingMeasurement = null;
    this.measurements.record({ deviceKey: pending.key, modelFile: pending.modelFile, quantization: pending.quantization, contextSize: pending.contextSize, gpuLayers: pending.gpuLayers, estimatedBytes: pending.estimatedBytes, measuredBytes: loaded.measuredBytes });
  }

  private attempts(contextSize: number, gpuLayers: number, gpu: boolean): { contextSize: number; gpuLayers: number }[] {
    const attempts = [{ contextSize, gpuLayers }];
    if (gpu && gpuLayers > 0) attempts.push({ contextSize, gpuLayers: Math.floor(gpuLayers / 2) });
    if (contextSize > 1024) attempts.push({ contextSize: Math.max(1024, Math.floor(contextSize / 2 / 256) * 256), gpuLayers: gpu ? Math.floor(gpuLayers / 2) : 0 });
    return attempts;
  }

  private refusal(report: FitReport, geometry: ModelGeometry, hardware: HardwareReport, contextSize: number): ApiError {
    const budget = budgetFrom(hardware);
    const fittingContext = largestFittingContext(geometry, budget, { kvCacheType: 'f16' }, Math.min(contextSize, geometry.contextLength || contextSize));
    const offer = fittingContext
      ? ` It would fit with a context of ${fittingContext} tokens.`
      : ' No context size makes it fit: pick a smaller quantization or model.';
    return new ApiError('TOO_LARGE', `${report.explanation}.${offer} Load anyway with the override if you know better.`, undefined, {
      fit: report,
      fittingContextSize: fittingContext
    });
  }
}

function hasGpu(hardware: HardwareReport): boolean {
  return Boolean(hardware.llama && hardware.llama.backend !== 'cpu');
}
