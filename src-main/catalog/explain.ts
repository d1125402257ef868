import { roundSpeed, type DeviceMemory } from '../api';
import type { Fit, DeviceBytes } from './estimator';

const GiB = 1024 ** 3;

/** Memory sizes as people compare them with their cards and RAM: binary gigabytes, one decimal. */
export function formatGiB(bytes: number): string {
  return `${(bytes / GiB).toFixed(1)} GiB`;
}

/** For figures that can be small (a test model, a measurement): MiB below 1 GiB, else GiB. */
export function formatBytes(bytes: number): string {
  return Math.abs(bytes) < GiB ? `${Math.round(bytes / 1024 ** 2)} MiB` : `${(bytes / GiB).toFixed(2)} GiB`;
}

export function contextLabel(tokens: number): string {
  return tokens % 1024 === 0 ? `${tokens / 1024}K` : `${tokens} tokens`;
}

export function toDeviceMemory(bytes: DeviceBytes): DeviceMemory {
  return { weightsBytes: bytes.weights, kvCacheBytes: bytes.kvCache, computeBytes: bytes.compute, runtimeBytes: bytes.runtime, totalBytes: bytes.total, repackBytes: bytes.repack };
}

export function speedPhrase(tokensPerSecond: number | null): string {
  if (tokensPerSecond === null) return 'speed unknown (this GPU is not in the bandwidth table)';
  return `≈ ${roundSpeed(tokensPerSecond)} tok/s (estimate from memory bandwidth)`;
}

/**
 * A fit's three parts (bytes) as its sentence shows them, and their total: small models in whole MiB, the
 * rest in tenths of a GiB, each part rounded first and the total their sum, so what is read adds up —
 * wherever the total is shown (the CLI's table too), it is this one.
 */
export function roundedParts(parts: { weights: number; context: number; buffers: number }): { weights: string; context: string; buffers: string; total: string } {
  const small = parts.weights + parts.context + parts.buffers < GiB;
  const unit = small ? 1024 ** 2 : GiB / 10;
  const [weights, context, buffers] = [parts.weights, parts.context, parts.buffers].map((bytes) => Math.round(bytes / unit));
  const show = (value: number) => (small ? `${value} MiB` : `${(value / 10).toFixed(1)} GiB`);
  return { weights: show(weights), context: show(context), buffers: show(buffers), total: show(weights + context + buffers) };
}

/**
 * One sentence with the numbers: the three parts are rounded first and the total is their sum,
 * so what the user reads adds up.
 */
export function explainFit(label: string, fit: Fit, free: { gpuFreeBytes: number; ramFreeBytes: number; unified: boolean }, contextSize: number, tokensPerSecond: number | null): string {
  const { gpu, cpu } = fit.split;
  const parts = roundedParts({ weights: gpu.weights + cpu.weights, context: gpu.kvCache + cpu.kvCache, buffers: gpu.compute + gpu.runtime + cpu.compute + cpu.runtime });
  const sum = `${parts.weights} weights + ${parts.context} context (${contextLabel(contextSize)}) + ${parts.buffers} buffers = ${parts.total}`;
  const speed = speedPhrase(tokensPerSecond);
  const repack = cpu.repack >= 0.05 * GiB ? `. RAM use may read up to ${formatGiB(cpu.repack)} higher: llama.cpp's faster copies of some weights sit beside file pages the OS drops when memory runs short` : '';
  return fitSentence(label, fit, free, sum, speed) + (fit.fitClass === 'too-large' ? '' : repack);
}

function fitSentence(label: string, fit: Fit, free: { gpuFreeBytes: number; ramFreeBytes: number; unified: boolean }, sum: string, speed: string): string {
  const { gpu, cpu } = fit.split;
  const vram = `${formatGiB(free.gpuFreeBytes)} free ${free.unified ? 'unified memory' : 'VRAM'}`;
  const ram = `${formatGiB(free.ramFreeBytes)} free RAM`;
  switch (fit.fitClass) {
    case 'full-gpu':
      // The token embedding always stays in RAM; say so when it is large enough to show.
      return cpu.total >= 0.05 * GiB && !free.unified
        ? `${label}: ${sum}, ${formatGiB(gpu.total)} of it in your ${vram} and ${formatGiB(cpu.total)} in RAM → full GPU offload, ${speed}`
        : `${label}: ${sum} of your ${vram} → full GPU offload, ${speed}`;
    case 'partial':
      return `${label}: ${sum}: ${fit.split.gpuLayers} of ${fit.split.totalLayers} layers (${formatGiB(gpu.total)}) in your ${vram}, ${formatGiB(cpu.total)} in RAM → partial offload, ${speed}`;
    case 'cpu':
      return `${label}: ${sum} of your ${ram} → CPU only, ${speed}`;
    default: {
      const usable = free.gpuFreeBytes > 0 && !free.unified
        ? `the ${formatGiB(fit.gpuBudgetBytes)} of VRAM and ${formatGiB(fit.ramBudgetBytes)} of RAM usable here (of ${formatGiB(free.gpuFreeBytes)} and ${formatGiB(free.ramFreeBytes)} free, less a safety reserve)`
        : `the ${formatGiB(free.unified ? fit.gpuBudgetBytes : fit.ramBudgetBytes)} usable here (of your ${free.unified ? vram : ram}, less a safety reserve)`;
      return `${label}: ${sum}, more than ${usable} → too large`;
    }
  }
}

