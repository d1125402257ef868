import type { HardwareReport, LlamaBackend } from '$api/contract';
import { formatSize } from './format';

export const backendLabels: Record<LlamaBackend, string> = { cuda: 'CUDA', vulkan: 'Vulkan', metal: 'Metal', cpu: 'CPU' };

export function osLine(report: HardwareReport): string {
  const name = [report.os.distro, report.os.release].filter(Boolean).join(' ') || report.os.platform;
  return `${name} (${report.os.platform}, ${report.os.arch})`;
}

export function simdFlags(report: HardwareReport): { name: string; value: string }[] {
  const word = (flag: boolean | null) => (flag === null ? 'unknown' : flag ? 'yes' : 'no');
  const { avx2, avx512, neon } = report.cpu.simd;
  return [
    { name: 'AVX2', value: word(avx2) },
    { name: 'AVX-512', value: word(avx512) },
    { name: 'NEON', value: word(neon) }
  ];
}

export function swapLine(report: HardwareReport): string | null {
  const { swapTotalBytes, swapFreeBytes } = report.memory;
  if (swapTotalBytes === null) return null;
  if (swapTotalBytes === 0) return 'no swap';
  return `swap ${swapFreeBytes === null ? '' : `${formatSize(swapFreeBytes)} free of `}${formatSize(swapTotalBytes)}`;
}
