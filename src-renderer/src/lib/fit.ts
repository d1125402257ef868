import type { DeviceMemory, FitReport } from '$api/contract';
import { formatSize } from './format';

/** The short badge text of a fit class, and the sentence a tooltip or screen reader gets. */
export function fitBadge(fit: FitReport): { label: string; description: string } {
  switch (fit.fitClass) {
    case 'full-gpu':
      return { label: 'Full GPU', description: 'Fits entirely in GPU memory' };
    case 'partial':
      return {
        label: `Partial ${fit.gpuLayers}/${fit.totalLayers}`,
        description: `Partial offload: ${fit.gpuLayers} of ${fit.totalLayers} layers on the GPU, the rest in RAM`
      };
    case 'cpu':
      return { label: 'CPU', description: 'Runs on the CPU, from RAM' };
    default:
      return { label: 'Too large', description: 'Does not fit this machine’s free memory' };
  }
}

export interface BarSegment {
  kind: 'weights' | 'kv' | 'buffers' | 'free' | 'over';
  label: string;
  bytes: number;
}

export interface DeviceBar {
  /** "GPU", "Unified memory" (a GPU that shares the RAM) or "RAM". */
  device: string;
  usedBytes: number;
  budgetBytes: number;
  segments: BarSegment[];
  /** What the bar shows, in one sentence (the bar's accessible name). */
  summary: string;
}

export const segmentLabels: Record<BarSegment['kind'], string> = {
  weights: 'Weights',
  kv: 'KV cache',
  buffers: 'Buffers',
  free: 'Free',
  over: 'Over budget'
};

export function deviceBar(device: string, memory: DeviceMemory, budgetBytes: number): DeviceBar {
  const buffers = memory.computeBytes + memory.runtimeBytes;
  const used = memory.weightsBytes + memory.kvCacheBytes + buffers;
  const parts: BarSegment[] = [
    { kind: 'weights', label: segmentLabels.weights, bytes: memory.weightsBytes },
    { kind: 'kv', label: segmentLabels.kv, bytes: memory.kvCacheBytes },
    { kind: 'buffers', label: segmentLabels.buffers, bytes: buffers }
  ];
  const spare = budgetBytes - used;
  const tail: BarSegment = spare >= 0 ? { kind: 'free', label: segmentLabels.free, bytes: spare } : { kind: 'over', label: segmentLabels.over, bytes: -spare };
  const segments = [...parts, tail].filter((segment) => segment.bytes > 0);
  const listed = parts.map((part) => `${formatSize(part.bytes)} ${part.kind === 'kv' ? 'KV cache' : part.label.toLowerCase()}`).join(', ');
  const rest = spare >= 0 ? `${formatSize(spare)} free` : `${formatSize(-spare)} over`;
  return {
    device,
    usedBytes: used,
    budgetBytes,
    segments,
    summary: `${device}: ${listed}; ${rest} of a ${formatSize(budgetBytes)} budget`
  };
}

/** One bar per device the estimate uses: the GPU when there is one, and RAM. */
export function deviceBars(fit: FitReport): DeviceBar[] {
  const bars: DeviceBar[] = [];
  if (fit.gpuBudgetBytes > 0 || fit.gpuFreeBytes > 0 || fit.gpu.totalBytes > 0) {
    bars.push(deviceBar(fit.unifiedMemory ? 'Unified memory' : 'GPU', fit.gpu, fit.gpuBudgetBytes));
  }
  bars.push(deviceBar('RAM', fit.cpu, fit.ramBudgetBytes));
  return bars;
}

/** node-llama-cpp's own dry-run figure, in words. */
export function nodeLlamaCppSummary(fit: FitReport): string | null {
  const theirs = fit.nodeLlamaCpp;
  if (!theirs) return null;
  const total = theirs.cpuBytes + theirs.gpuBytes;
  const split = theirs.gpuBytes > 0 ? ` (${formatSize(theirs.gpuBytes)} GPU + ${formatSize(theirs.cpuBytes)} RAM)` : '';
  return `node-llama-cpp estimates ${formatSize(total)}${split}; ours: ${formatSize(fit.gpu.totalBytes + fit.cpu.totalBytes)}`;
}
