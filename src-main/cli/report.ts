import { roundSpeed, type FitReport, type HardwareReport, type Recommendation } from '../api';
import { formatGiB, roundedParts } from '../catalog';

const badges: Record<FitReport['fitClass'], string> = { 'full-gpu': 'Full GPU', partial: 'Partial', cpu: 'CPU', 'too-large': 'Too large' };

export function fitBadge(report: FitReport): string {
  return report.fitClass === 'partial' ? `Partial ${report.gpuLayers}/${report.totalLayers}` : badges[report.fitClass];
}

/** The machine in a few lines, with anything the probe could not tell and why. */
export function describeMachine(hardware: HardwareReport): string[] {
  const { cpu, memory, llama } = hardware;
  const simd = Object.entries(cpu.simd)
    .filter(([, present]) => present)
    .map(([name]) => name.toUpperCase())
    .join(', ');
  const lines = [
    `OS:      ${hardware.os.distro ?? hardware.os.platform} ${hardware.os.release ?? ''} (${hardware.os.arch})`.replace(/\s+\(/, ' ('),
    `CPU:     ${cpu.model ?? 'unknown'}, ${cpu.physicalCores} cores / ${cpu.logicalCores} threads${simd ? `, ${simd}` : ''}`,
    `RAM:     ${formatGiB(memory.totalBytes)} total, ${formatGiB(memory.availableBytes)} available`
  ];
  for (const gpu of hardware.gpus) {
    lines.push(`GPU:     ${gpu.vendor} ${gpu.model}${gpu.vramBytes ? `, ${formatGiB(gpu.vramBytes)}` : ''}${gpu.unifiedMemory ? ' (shares system memory)' : ''} — as the OS reports it`);
  }
  lines.push(
    llama
      ? `llama.cpp: ${llama.backend.toUpperCase()}${llama.backend === 'cpu' ? '' : ` on ${llama.deviceNames.join(' + ') || 'unknown device'}, ${formatGiB(llama.vramFreeBytes)} of ${formatGiB(llama.vramTotalBytes)} free`}`
      : 'llama.cpp: unknown'
  );
  for (const fact of hardware.unknown) lines.push(`Unknown: ${fact.what} (${fact.why})`);
  return lines;
}

function speedCell(recommendation: Recommendation): string {
  const { tokensPerSecond, measured } = recommendation.speed;
  if (recommendation.fit.fitClass === 'too-large') return '';
  if (tokensPerSecond === null) return 'speed unknown';
  return `${measured ? 'measured' : '≈'} ${roundSpeed(tokensPerSecond)} tok/s${recommendation.slow ? ' · slow on this machine' : ''}`;
}

/** A pick's memory as its sentence totals it (the same rounding, so the column and the sentence agree). */
export function fitTotal(fit: FitReport): string {
  const sum = (pick: (device: FitReport['gpu']) => number) => pick(fit.gpu) + pick(fit.cpu);
  return roundedParts({ weights: sum((d) => d.weightsBytes), context: sum((d) => d.kvCacheBytes), buffers: sum((d) => d.computeBytes + d.runtimeBytes) }).total;
}

/** One row per pick (fit, model and quantization, memory, speed, quality in words), then why it ranks there and how it fits. */
export function recommendationTable(recommendations: Recommendation[]): string[] {
  const rows = recommendations.map((r) => [fitBadge(r.fit), `${r.modelName} ${r.quantization}`, fitTotal(r.fit), speedCell(r), r.quality.words]);
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column].length), 4)) ?? [];
  const lines = rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd());
  return lines.flatMap((line, index) => [line, `    ${recommendations[index].rankReason}`, `    ${recommendations[index].fit.explanation}`]);
}
