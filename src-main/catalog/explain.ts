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
 * One sentence with the numbers: the three parts are rounded first and the total is their sum,
 * so what the user reads adds up.
 */
export function explainFit(label: string, fit: Fit, free: { gpuFreeBytes: number; ramFreeBytes: number; unified: boolean }, contextSize: number, tokensPerSecond: number | null): string {
  const { gpu, cpu } = fit.split;
  // Small models read in MiB (whole), the rest in GiB (tenths); either way the parts are rounded first.
  const small = gpu.total + cpu.total < GiB;
  const unit = small ? 1024 ** 2 : GiB / 10;
  const rounded = (bytes: number) => Math.round(bytes / unit);
  const weights = rounded(gpu.weights + cpu.weights);
  const context = rounded(gpu.kvCache + cpu.kvCache);
  const buffers = rounded(gpu.compute + gpu.runtime + cpu.compute + cpu.runtime);
  const show = (value: number) => (small ? `${value} MiB` : `${(value / 10).toFixed(1)} GiB`);
  const sum = `${show(weights)} weights + ${show(context)} context (${contextLabel(contextSize)}) + ${show(buffers)} buffers = ${show(weights + context + buffers)}`;
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

