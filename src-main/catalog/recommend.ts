import type { FitReport, HardwareReport, KvCacheTypeName, Recommendation, RecommendPriority } from '../api';
import { bitsPerWeight, geometryFromCatalog, type Catalog, type CatalogModel } from './catalog';
import { cpuRepackTypes, fitModel, memoryNeeds, type Fit, type MemoryBudget, type MemoryNeeds } from './estimator';
import { explainFit, toDeviceMemory } from './explain';
import type { ModelGeometry } from './geometry';
import { activeLayerBytes, defaultCpuBandwidthGbPerSecond, estimateDecodeSpeed, gpuBandwidth, headBytes } from './speed';

export interface Correction {
  factor: number;
  samples: number;
}

export interface FitOptions {
  contextSize: number;
  kvCacheType: KvCacheTypeName;
  gpuLayers?: number;
  /** Learnt from earlier loads on this device: measured ÷ estimated. */
  correction?: Correction | null;
  cpuBandwidthGbPerSecond?: number;
}

/** The memory llama.cpp can use, as the probe saw it: its own VRAM figures, not the OS's. */
export function budgetFrom(hardware: HardwareReport): MemoryBudget & { deviceNames: string[] } {
  const llama = hardware.llama;
  const gpu = llama && llama.backend !== 'cpu' ? llama : null;
  return {
    gpuFreeBytes: gpu?.vramFreeBytes ?? 0,
    ramFreeBytes: hardware.memory.availableBytes,
    unified: Boolean(gpu && gpu.unifiedBytes > 0),
    gpuDevices: Math.max(1, gpu?.deviceNames.length ?? 1),
    deviceNames: gpu?.deviceNames ?? []
  };
}

function scaled(needs: MemoryNeeds, factor: number): MemoryNeeds {
  const times = (value: number) => value * factor;
  return {
    layerWeights: needs.layerWeights.map(times),
    inputWeights: times(needs.inputWeights),
    outputWeights: times(needs.outputWeights),
    tiedOutput: needs.tiedOutput,
    layerRepack: needs.layerRepack.map(times),
    headRepack: times(needs.headRepack),
    layerKvCache: needs.layerKvCache.map(times),
    compute: times(needs.compute),
    cpuCompute: times(needs.cpuCompute),
    cpuRuntime: needs.cpuRuntime
  };
}

/** Fits one model geometry on this hardware and explains it. */
export function fitReport(label: string, geometry: ModelGeometry, hardware: HardwareReport, options: FitOptions): { report: FitReport; fit: Fit } {
  const budget = budgetFrom(hardware);
  const raw = memoryNeeds(geometry, { contextSize: options.contextSize, kvCacheType: options.kvCacheType, repackTypes: cpuRepackTypes(hardware.cpu.simd) });
  const needs = options.correction ? scaled(raw, options.correction.factor) : raw;
  const fit = fitModel(needs, budget, options.gpuLayers);
  const decodeTokensPerSecond =
    fit.fitClass === 'too-large'
      ? null
      : estimateDecodeSpeed({
          needs,
          split: fit.split,
          activeLayers: activeLayerBytes(geometry),
          head: headBytes(geometry),
          gpuGbPerSecond: gpuBandwidth(budget.deviceNames),
          cpuGbPerSecond: options.cpuBandwidthGbPerSecond ?? defaultCpuBandwidthGbPerSecond
        });
  const report: FitReport = {
    fitClass: fit.fitClass,
    gpuLayers: fit.split.gpuLayers,
    totalLayers: fit.split.totalLayers,
    gpu: toDeviceMemory(fit.split.gpu),
    cpu: toDeviceMemory(fit.split.cpu),
    gpuFreeBytes: budget.gpuFreeBytes,
    ramFreeBytes: budget.ramFreeBytes,
    gpuBudgetBytes: fit.gpuBudgetBytes,
    ramBudgetBytes: fit.ramBudgetBytes,
    unifiedMemory: budget.unified,
    contextSize: options.contextSize,
    kvCacheType: options.kvCacheType,
    decodeTokensPerSecond,
    weightsExact: geometry.weightsExact,
    correction: options.correction ?? null,
    nodeLlamaCpp: null,
    explanation: explainFit(label, fit, budget, options.contextSize, decodeTokensPerSecond)
  };
  return { report, fit };
}

const classRank: Record<FitReport['fitClass'], number> = { 'full-gpu': 0, partial: 1, cpu: 2, 'too-large': 3 };
/** Below this a reply feels broken; "balanced" prefers smaller models that reach it. */
export const usableTokensPerSecond = 5;
/** Quantizations that lose this much perplexity (Q2_K, Q3_K_S) rank after any model that fits without them. */
export const degradedPerplexityIncrease = 1;

export function qualityNote(catalog: Catalog, quantization: string): string {
  const fact = catalog.quantizations.find((entry) => entry.quantization === quantization);
  if (!fact || fact.perplexityIncrease === null) return `${quantization}: no published quality measurement`;
  if (Math.abs(fact.perplexityIncrease) < 0.01) return `${quantization}: practically lossless (${fact.perplexityIncrease >= 0 ? '+' : ''}${fact.perplexityIncrease} perplexity, ${fact.baseline})`;
  return `${quantization}: +${fact.perplexityIncrease} perplexity over F16 (${fact.baseline})`;
}

/** For one model: the best-quality file that fits fully on the GPU, else the best partial offload, else the CPU. */
function chooseFile(catalog: Catalog, model: CatalogModel, hardware: HardwareReport, options: FitOptions, priority: RecommendPriority): Recommendation {
  const byQuality = [...model.files].sort((a, b) => bitsPerWeight(catalog, b.quantization) - bitsPerWeight(catalog, a.quantization));
  const candidates = byQuality.map((file) => {
    const { report } = fitReport(`${model.name} ${file.quantization}`, geometryFromCatalog(catalog, model, file), hardware, options);
    return { file, report };
  });
  const speedOf = (candidate: (typeof candidates)[number]) => candidate.report.decodeTokensPerSecond ?? 0;
  const inClass = (fitClass: FitReport['fitClass']) => candidates.filter((candidate) => candidate.report.fitClass === fitClass);
  const pick =
    inClass('full-gpu')[0] ??
    (priority === 'speed' ? [...inClass('partial')].sort((a, b) => speedOf(b) - speedOf(a))[0] : inClass('partial')[0]) ??
    (priority === 'quality' ? inClass('cpu')[0] : (inClass('cpu').find((c) => bitsPerWeight(catalog, c.file.quantization) <= 5.7) ?? inClass('cpu')[0])) ??
    candidates[candidates.length - 1];
  return {
    modelId: model.id,
    modelName: model.name,
    family: model.family,
    parameters: model.architecture.parameters,
    quantization: pick.file.quantization,
    file: pick.file.file,
    ggufRepo: model.ggufRepo,
    fileSizeBytes: pick.file.sizeBytes,
    sizeExact: pick.file.sizeExact,
    license: model.license,
    tags: model.tags,
    qualityNote: qualityNote(catalog, pick.file.quantization),
    nativeContextLength: model.architecture.contextLength,
    fit: pick.report
  };
}

/** Ranks the catalog for this machine: what fits best first; within a class, by the user's priority. */
export function recommend(catalog: Catalog, hardware: HardwareReport, options: FitOptions & { priority: RecommendPriority }): Recommendation[] {
  const picks = catalog.models.map((model) =>
    chooseFile(catalog, model, hardware, { ...options, contextSize: Math.min(options.contextSize, model.architecture.contextLength) }, options.priority)
  );
  const speed = (r: Recommendation) => r.fit.decodeTokensPerSecond ?? 0;
  const usable = (r: Recommendation) => (options.priority === 'balanced' && speed(r) < usableTokensPerSecond ? 1 : 0);
  const degraded = (r: Recommendation) => ((catalog.quantizations.find((q) => q.quantization === r.quantization)?.perplexityIncrease ?? 0) > degradedPerplexityIncrease ? 1 : 0);
  return picks.sort(
    (a, b) =>
      classRank[a.fit.fitClass] - classRank[b.fit.fitClass] ||
      degraded(a) - degraded(b) ||
      usable(a) - usable(b) ||
      (options.priority === 'speed' ? speed(b) - speed(a) : b.parameters - a.parameters)
  );
}
