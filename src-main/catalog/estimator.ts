/**
 * Memory a model needs, and how it splits between GPU and RAM — mirroring how llama.cpp allocates:
 * weights per layer (the token embedding always in RAM, the output head on the GPU only when every
 * layer is), the copies the CPU backend repacks (below), the KV cache per layer (sliding-window layers
 * keep only their window), compute buffers per device, and a runtime reserve per backend.
 *
 * Measured on a Llama-3.2-1B-shaped file on an AVX2 CPU (2K context): Q4_K_M took 1408 MiB of RSS —
 * 733 MiB of mapped weights, all resident after loading, plus a 510 MiB "CPU_REPACK" copy of every
 * Q4_K matrix, 64 MiB of KV cache, of the 259 MiB compute buffer llama.cpp reserves only the
 * activations a batch touches (~48 MiB, flash attention on), and ~60 MiB of vocabulary tables —
 * where node-llama-cpp's estimate, and this one before, said 1056 MiB. Q8_0 is not repacked: 1425 MiB.
 *
 * The repacked copy replaces its original in the working set: the original's mapped pages are read
 * once, then sit clean in the page cache, and the OS drops them when memory runs short. A
 * Qwen3-30B-A3B-shaped Q4_K_M (17.3 GiB of weights, ~12 GiB of it repacked) loaded and ran on a
 * 24 GiB machine with no swap at 22 GiB of RSS, where weights + copies would be 29 GiB. So whether a
 * model fits is judged on the working set (`total`), and `repack` says how much more RSS may show.
 */
import type { FitClass, KvCacheTypeName } from '../api';
import type { ModelGeometry } from './geometry';

export type KvCacheType = KvCacheTypeName;
const kvBytesPerElement: Record<KvCacheType, number> = { f16: 2, q8_0: 34 / 32, q4_0: 18 / 32 };

export interface ContextOptions {
  contextSize: number;
  kvCacheType?: KvCacheType;
  /** llama.cpp's physical batch (ubatch); 512 by default. */
  batchSize?: number;
  /** ggml types this CPU's backend keeps a repacked copy of (see `cpuRepackTypes`); none by default. */
  repackTypes?: ReadonlySet<string>;
}

/**
 * The ggml types llama.cpp's CPU backend repacks into an interleaved copy for its matrix kernels, kept
 * beside the mapped file (ggml-cpu/repack.cpp, ggml_repack_get_optimal_repack_type, as bundled with
 * node-llama-cpp 3.22): Q4_0 and Q4_K with AVX2, Q2_K with AVX-512, Q4_0 and IQ4_NL on Arm with NEON
 * (dot-product and int8 matrix extensions, which every Arm CPU that runs llama.cpp well has).
 */
export function cpuRepackTypes(simd: { avx2: boolean | null; avx512: boolean | null; neon: boolean | null }): Set<string> {
  const types = new Set<string>();
  if (simd.avx2) ['Q4_0', 'Q4_K'].forEach((type) => types.add(type));
  if (simd.avx512) types.add('Q2_K');
  if (simd.neon) ['Q4_0', 'IQ4_NL'].forEach((type) => types.add(type));
  return types;
}



const mebibyte = 1024 * 1024;
/** llama.cpp rounds the KV cache up to a multiple of 256 cells. */
const kvCellPadding = 256;
/** The CUDA / Vulkan / Metal context, kernels and scratch that any offload costs on the GPU. */
export const gpuRuntimeReserveBytes = 300 * mebibyte;
/** VRAM left free for the desktop, the driver and other programs. */
export const gpuSafetyReserve = (freeBytes: number) => Math.max(512 * mebibyte, freeBytes * 0.05);
/** RAM left free for the OS and everything else the user runs. */
export const ramSafetyReserve = (availableBytes: number) => Math.max(1024 * mebibyte, availableBytes * 0.1);

const padUp = (value: number, multiple: number) => Math.ceil(value / multiple) * multiple;

export function isSlidingWindowLayer(geometry: ModelGeometry, layer: number): boolean {
  if (!geometry.slidingWindow) return false;
  if (!geometry.slidingWindowPattern) return true;
  return layer % geometry.slidingWindowPattern < geometry.slidingWindowPattern - 1;
}

/** KV cache bytes of each layer: 2 (K and V) × cells × KV heads × head size × bytes per element. */
export function kvCacheBytesPerLayer(geometry: ModelGeometry, options: ContextOptions): number[] {
  const batch = Math.min(options.batchSize ?? 512, options.contextSize);
  const fullCells = padUp(options.contextSize, kvCellPadding);
  const windowCells = geometry.slidingWindow ? Math.min(fullCells, padUp(geometry.slidingWindow + batch, kvCellPadding)) : fullCells;
  const bytesPerElement = kvBytesPerElement[options.kvCacheType ?? 'f16'];
  return geometry.layerWeightBytes.map((_, layer) => {
    const cells = isSlidingWindowLayer(geometry, layer) ? windowCells : fullCells;
    return cells * geometry.kvHeads * (geometry.keyLength + geometry.valueLength) * bytesPerElement;
  });
}

/**
 * A GPU's compute buffer, as llama.cpp reserves it for the worst case: the logits of a whole batch
 * (vocabulary × batch × 4 bytes) and the activations. GPU memory is allocated whole.
 */
export function computeBufferBytes(geometry: ModelGeometry, options: ContextOptions): number {
  const batch = Math.min(options.batchSize ?? 512, options.contextSize);
  return geometry.vocab * batch * 4 + 2 * batch * geometry.embedding * 4;
}

/**
 * The part of the CPU compute buffer a batch really touches (the rest of the reservation is never
 * paged in): the feed-forward's gate and up activations and a few embedding-wide ones (flash attention,
 * on by default, never holds a batch's attention scores). A chat asks for one token's logits, not the
 * whole batch's.
 */
export function cpuComputeBytes(geometry: ModelGeometry, options: ContextOptions): number {
  const batch = Math.min(options.batchSize ?? 512, options.contextSize);
  const feedForward = geometry.feedForward ?? 4 * geometry.embedding;
  return batch * 4 * (2 * feedForward + 4 * geometry.embedding) + geometry.vocab * 4;
}

/**
 * What a CPU load costs beyond its buffers: mostly llama.cpp's vocabulary tables (each token's text,
 * score and lookups: ~500 bytes a token, measured on 32K and 128K vocabularies), and a few MiB of
 * context, threadpool and graph metadata.
 */
export function cpuRuntimeBytes(geometry: ModelGeometry): number {
  return 4 * mebibyte + geometry.vocab * 512;
}

/** Bytes of the types in `types` in a table of bytes by type. */
function bytesOfTypes(table: Record<string, number>, types: ReadonlySet<string>): number {
  return Object.entries(table).reduce((total, [type, bytes]) => total + (types.has(type) ? bytes : 0), 0);
}

export interface MemoryNeeds {
  layerWeights: number[];
  inputWeights: number;
  outputWeights: number;
  /** The head reuses the input embedding, which then also goes to the GPU when the head does. */
  tiedOutput: boolean;
  /** The repacked copy of each layer's matrices, when that layer runs on the CPU. */
  layerRepack: number[];
  /** The repacked copy of the output head (a tied embedding's, when repackable), when the head runs on the CPU. */
  headRepack: number;
  layerKvCache: number[];
  /** A GPU's compute buffer (allocated whole). */
  compute: number;
  /** The CPU compute buffer's touched part. */
  cpuCompute: number;
  /** The CPU runtime's cost (see `cpuRuntimeBytes`): not scaled by a device's correction. */
  cpuRuntime: number;
}

export function memoryNeeds(geometry: ModelGeometry, options: ContextOptions): MemoryNeeds {
  const repack = options.repackTypes ?? new Set<string>();
  const tiedRepack = geometry.tiedOutput && geometry.inputType !== null && repack.has(geometry.inputType) ? geometry.inputWeightBytes : 0;
  return {
    layerWeights: geometry.layerWeightBytes,
    inputWeights: geometry.inputWeightBytes,
    outputWeights: geometry.outputWeightBytes,
    tiedOutput: geometry.tiedOutput,
    layerRepack: geometry.layerMatrixBytesByType.map((table) => bytesOfTypes(table, repack)),
    headRepack: bytesOfTypes(geometry.outputMatrixBytesByType, repack) + tiedRepack,
    layerKvCache: kvCacheBytesPerLayer(geometry, options),
    compute: computeBufferBytes(geometry, options),
    cpuCompute: cpuComputeBytes(geometry, options),
    cpuRuntime: cpuRuntimeBytes(geometry)
  };
}

export interface DeviceBytes {
  weights: number;
  kvCache: number;
  compute: number;
  runtime: number;
  /** What the device needs: weights + KV cache + compute + runtime. */
  total: number;
  /**
   * The CPU backend's repacked copies (0 on a GPU): not in `total`, since each replaces its original's
   * reclaimable file pages, but a process's RSS shows both until memory runs short.
   */
  repack: number;
}

export interface Split {
  /** llama.cpp's count: the repeating layers on the GPU, plus one for the output head. */
  gpuLayers: number;
  /** Repeating layers + the output head. */
  totalLayers: number;
  gpu: DeviceBytes;
  cpu: DeviceBytes;
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

function deviceBytes(weights: number, kvCache: number, compute: number, runtime: number, repack = 0): DeviceBytes {
  return { weights, kvCache, compute, runtime, total: weights + kvCache + compute + runtime, repack };
}

/**
 * Where every byte goes with `gpuLayers` offloaded (layers from the last one down, as llama.cpp
 * assigns them). Each GPU holds its own compute buffer and backend runtime.
 */
export function splitAt(needs: MemoryNeeds, gpuLayers: number, gpuDevices = 1): Split {
  const layers = needs.layerWeights.length;
  const totalLayers = layers + 1;
  const offloaded = Math.max(0, Math.min(gpuLayers, totalLayers));
  const firstGpuLayer = totalLayers - offloaded;
  const gpuRange = (values: number[]) => sum(values.slice(firstGpuLayer));
  const cpuRange = (values: number[]) => sum(values.slice(0, firstGpuLayer));
  const allOnGpu = offloaded === totalLayers;
  const onGpu = offloaded > 0;
  const devices = Math.max(1, gpuDevices);
  const headOnGpu = allOnGpu ? needs.outputWeights + (needs.tiedOutput ? needs.inputWeights : 0) : 0;
  const gpu = deviceBytes(
    gpuRange(needs.layerWeights) + headOnGpu,
    gpuRange(needs.layerKvCache),
    onGpu ? needs.compute * devices : 0,
    onGpu ? gpuRuntimeReserveBytes * devices : 0
  );
  const cpu = deviceBytes(
    needs.inputWeights + cpuRange(needs.layerWeights) + (allOnGpu ? 0 : needs.outputWeights),
    cpuRange(needs.layerKvCache),
    allOnGpu ? 0 : needs.cpuCompute,
    needs.cpuRuntime,
    cpuRange(needs.layerRepack) + (allOnGpu ? 0 : needs.headRepack)
  );
  return { gpuLayers: offloaded, totalLayers, gpu, cpu };
}

export interface MemoryBudget {
  /** Free VRAM on the GPU llama.cpp uses (0 without one); for unified memory, the GPU's working set. */
  gpuFreeBytes: number;
  /** Free RAM (available, not counting caches the OS would drop). */
  ramFreeBytes: number;
  /** GPU and CPU share one pool (Apple Silicon, integrated GPUs): it is counted once. */
  unified: boolean;
  /** GPUs llama.cpp splits the layers over (each has its own buffers); 1 by default. */
  gpuDevices?: number;
}

export interface Fit {
  fitClass: FitClass;
  split: Split;
  gpuBudgetBytes: number;
  ramBudgetBytes: number;
}

/** The most layers that fit in VRAM after the reserve, then whether the rest fits in RAM. */
export function fitModel(needs: MemoryNeeds, budget: MemoryBudget, forcedGpuLayers?: number): Fit {
  const gpuBudgetBytes = budget.gpuFreeBytes > 0 ? budget.gpuFreeBytes - gpuSafetyReserve(budget.gpuFreeBytes) : 0;
  const ramBudgetBytes = budget.unified ? gpuBudgetBytes : budget.ramFreeBytes - ramSafetyReserve(budget.ramFreeBytes);
  const totalLayers = needs.layerWeights.length + 1;
  const devices = budget.gpuDevices ?? 1;
  let split = splitAt(needs, 0);
  if (forcedGpuLayers !== undefined) split = splitAt(needs, forcedGpuLayers, devices);
  else if (gpuBudgetBytes > 0) {
    for (let layers = totalLayers; layers > 0; layers--) {
      const candidate = splitAt(needs, layers, devices);
      if (candidate.gpu.total <= gpuBudgetBytes) {
        split = candidate;
        break;
      }
    }
  }
  const ramUsed = budget.unified ? split.cpu.total + split.gpu.total : split.cpu.total;
  const fits = ramUsed <= ramBudgetBytes && split.gpu.total <= Math.max(gpuBudgetBytes, 0);
  const fitClass: FitClass = !fits ? 'too-large' : split.gpuLayers === totalLayers ? 'full-gpu' : split.gpuLayers > 0 ? 'partial' : 'cpu';
  return { fitClass, split, gpuBudgetBytes: Math.max(0, gpuBudgetBytes), ramBudgetBytes: Math.max(0, ramBudgetBytes) };
}

/** The largest context (a multiple of 256, at most `limit`) whose fit is not "too large", or null. */
export function largestFittingContext(geometry: ModelGeometry, budget: MemoryBudget, options: Omit<ContextOptions, 'contextSize'>, limit: number): number | null {
  let low = 0;
  let high = Math.floor(limit / kvCellPadding);
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    const fit = fitModel(memoryNeeds(geometry, { ...options, contextSize: middle * kvCellPadding }), budget);
    if (fit.fitClass === 'too-large') high = middle - 1;
    else low = middle;
  }
  return low > 0 ? low * kvCellPadding : null;
}
