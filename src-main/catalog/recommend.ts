import { defaultMinTokensPerSecond, roundSpeed, type FitReport, type HardwareReport, type KvCacheTypeName, type Recommendation, type RecommendPriority, type SpeedFigure } from '../api';
import { bitsPerWeight, chatModels, geometryFromCatalog, type Catalog, type CatalogFile, type CatalogModel } from './catalog';
import { cpuRepackTypes, fitModel, memoryNeeds, type Fit, type MemoryBudget, type MemoryNeeds } from './estimator';
import { explainFit, toDeviceMemory } from './explain';
import { cpuBandwidth, defaultCpuBandwidthGbPerSecond, speedOf, type CpuBandwidth, type MeasuredSpeed, type SpeedContext } from './measuredSpeed';
import { qualityOf } from './quality';
import type { ModelGeometry } from './geometry';
import { activeLayerBytes, estimateDecodeSpeed, gpuBandwidth, headBytes } from './speed';

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
  /** The CPU's memory bandwidth (GB/s; see `cpuBandwidth`); `defaultCpuBandwidthGbPerSecond` when unknown. */
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
/** Quantizations at 3 bits or fewer: picked only for a model with no better file that fits, ranked after every model that has one. */
const lowBit = /^(Q2|Q3|IQ1|IQ2|IQ3|TQ)/;
/** On a CPU, "balanced" stops at Q5_K_M: every extra bit costs speed one to one there, for little quality. */
const balancedCpuQuantization = 'Q5_K_M';

export interface RecommendOptions extends Omit<FitOptions, 'cpuBandwidthGbPerSecond'> {
  priority: RecommendPriority;
  /** The CPU bandwidth to estimate with and where it comes from (`cpuBandwidth`); 20 GB/s assumed when absent. */
  cpu?: CpuBandwidth;
  /** The usable-speed floor in tokens per second (`defaultMinTokensPerSecond`); 0 flags nothing. */
  minTokensPerSecond?: number;
  /** Decode speeds this machine has measured (its benchmarks), newest first: they replace the estimate of the file they measured. */
  measured?: readonly MeasuredSpeed[];
}

interface Candidate {
  file: CatalogFile;
  report: FitReport;
  speed: SpeedFigure;
}

const isSlow = (speed: SpeedFigure, floor: number) => speed.tokensPerSecond !== null && speed.tokensPerSecond < floor;

/**
 * For one model, which file to offer: of the files that fit, F16/BF16 only where Q8_0 does not, 3-bit
 * and lower only where nothing better does, those at the usable speed where any is (the fastest where
 * none is); then the best class (full GPU, partial, CPU) and within it the user's priority.
 */
function chooseFile(catalog: Catalog, model: CatalogModel, hardware: HardwareReport, options: RecommendOptions & FitOptions, context: SpeedContext, floor: number): Candidate {
  const bits = (candidate: Candidate) => bitsPerWeight(catalog, candidate.file.quantization);
  const candidates = model.files
    .map((file): Candidate => {
      const geometry = geometryFromCatalog(catalog, model, file);
      const { report } = fitReport(`${model.name} ${file.quantization}`, geometry, hardware, options);
      return { file, report, speed: speedOf(file, geometry, report, context) };
    })
    .sort((a, b) => bits(b) - bits(a));
  let pool = candidates.filter((c) => c.report.fitClass !== 'too-large');
  if (pool.some((c) => c.file.quantization === 'Q8_0')) pool = pool.filter((c) => !/^B?F16$/.test(c.file.quantization));
  if (pool.some((c) => !lowBit.test(c.file.quantization))) pool = pool.filter((c) => !lowBit.test(c.file.quantization));
  if (pool.length === 0) {
    // Nothing fits: show the smallest file worth having, so the explanation says how far off it is.
    return [...candidates].reverse().find((c) => !lowBit.test(c.file.quantization)) ?? candidates[candidates.length - 1];
  }
  const fastest = (list: Candidate[]) => [...list].sort((a, b) => (b.speed.tokensPerSecond ?? 0) - (a.speed.tokensPerSecond ?? 0))[0];
  const usable = pool.filter((c) => !isSlow(c.speed, floor));
  // Slow at every quantization: speed is what this machine lacks, so offer the fastest (unless quality was asked for).
  if (usable.length === 0 && options.priority !== 'quality') return fastest(pool);
  const from = usable.length > 0 ? usable : pool;
  const inClass = (fitClass: FitReport['fitClass']) => from.filter((c) => c.report.fitClass === fitClass);
  const partial = inClass('partial');
  const cpu = inClass('cpu');
  return (
    inClass('full-gpu')[0] ??
    (options.priority === 'speed' ? fastest(partial) : partial[0]) ??
    (options.priority === 'speed' ? fastest(cpu) : options.priority === 'quality' ? cpu[0] : (cpu.find((c) => bits(c) <= bitsPerWeight(catalog, balancedCpuQuantization)) ?? cpu[cpu.length - 1]))
  );
}

function speedText(speed: SpeedFigure): string {
  if (speed.tokensPerSecond === null) return 'speed unknown';
  const value = roundSpeed(speed.tokensPerSecond);
  return speed.measured ? `measured ${value} tok/s` : `≈ ${value} tok/s (estimate)`;
}

const priorityOrder: Record<RecommendPriority, string> = {
  balanced: 'larger models first',
  quality: 'larger models and higher precision first',
  speed: 'faster first'
};

/** One line on why a pick sits where it does, naming the rule that placed it. */
function rankReason(pick: Candidate, model: CatalogModel, floor: number, priority: RecommendPriority): string {
  const { report, speed, file } = pick;
  if (report.fitClass === 'too-large') {
    const shown = lowBit.test(file.quantization) ? `its smallest file, ${file.quantization}` : `${file.quantization}, its smallest at 4 bits or more`;
    return `Too large here: no file of it fits in the memory usable now (shown: ${shown})`;
  }
  if (isSlow(speed, floor)) return `Slow on this machine: ${speedText(speed)} is below your ${floor} tok/s floor, so it ranks after the usable picks`;
  const where = report.fitClass === 'full-gpu' ? 'fully on the GPU' : report.fitClass === 'partial' ? `${report.gpuLayers} of ${report.totalLayers} layers on the GPU` : 'on the CPU';
  if (lowBit.test(file.quantization)) return `Only ${file.quantization} fits, ${where} at ${speedText(speed)}; it costs quality, so it ranks after models that fit at 4 bits or more`;
  const size = `${(model.architecture.parameters / 1e9).toFixed(1).replace(/\.0$/, '')}B`;
  return `Usable: ${where} at ${speedText(speed)}${floor > 0 ? `, above your ${floor} tok/s floor` : ''}; among usable picks, ${priorityOrder[priority]} (${size} parameters)`;
}

/**
 * Ranks the catalog for this machine: usable picks first, then those only a 3-bit-or-lower file fits,
 * then those slower than the floor (fastest first), then what does not fit; within the others, the best
 * fit class first, then the user's priority (balanced and quality: parameters; speed: tokens per second).
 */
export function recommend(catalog: Catalog, hardware: HardwareReport, options: RecommendOptions): Recommendation[] {
  const floor = options.minTokensPerSecond ?? defaultMinTokensPerSecond;
  const measured = options.measured ?? [];
  const cpu = options.cpu ?? cpuBandwidth([]);
  const estimateBasis = `${cpu.basis}; GPUs from their specifications`;
  const context: SpeedContext = { measured, estimateBasis };
  const ranked = chatModels(catalog).map((model) => {
    const modelOptions = { ...options, cpuBandwidthGbPerSecond: cpu.gbPerSecond, contextSize: Math.min(options.contextSize, model.architecture.contextLength) };
    return { model, pick: chooseFile(catalog, model, hardware, modelOptions, context, floor) };
  });
  const tier = ({ pick }: (typeof ranked)[number]) =>
    pick.report.fitClass === 'too-large' ? 3 : isSlow(pick.speed, floor) ? 2 : lowBit.test(pick.file.quantization) ? 1 : 0;
  const speed = ({ pick }: (typeof ranked)[number]) => pick.speed.tokensPerSecond ?? 0;
  const preference = (a: (typeof ranked)[number], b: (typeof ranked)[number]) =>
    options.priority === 'speed'
      ? speed(b) - speed(a)
      : b.model.architecture.parameters - a.model.architecture.parameters || bitsPerWeight(catalog, b.pick.file.quantization) - bitsPerWeight(catalog, a.pick.file.quantization);
  // Among slow picks the one nearest to usable comes first, whatever the priority: speed is what is short.
  ranked.sort((a, b) => tier(a) - tier(b) || (tier(a) === 2 ? speed(b) - speed(a) : classRank[a.pick.report.fitClass] - classRank[b.pick.report.fitClass] || preference(a, b)));
  return ranked.map(({ model, pick }) => ({
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
    quality: qualityOf(catalog, pick.file.quantization, model.name),
    speed: pick.speed,
    slow: pick.report.fitClass !== 'too-large' && isSlow(pick.speed, floor),
    rankReason: rankReason(pick, model, floor, options.priority),
    nativeContextLength: model.architecture.contextLength,
    fit: pick.report
  }));
}
