import type { MessageMetrics, Statistic } from '$api/contract';
import { formatDuration, formatRate, roundSpeed } from '$api/format';

export { acceptanceRate, formatDuration, formatRate, formatReplyStats, roundSpeed, stopReasonLabels } from '$api/format';

/** Longer details for the stats line's tooltip. */
export function formatReplyDetails(metrics: MessageMetrics): string {
  const lines = [
    `Model: ${metrics.model}${metrics.quantization ? ` (${metrics.quantization})` : ''}`,
    `Chat template: ${metrics.chatTemplate}`,
    `Prompt: ${metrics.promptTokens} tokens (${metrics.prefillTokens} evaluated` +
      (metrics.prefillTokensPerSecond != null ? `, ${formatRate(metrics.prefillTokensPerSecond)})` : ')'),
    `Total: ${formatDuration(metrics.totalMs)} on ${count(metrics.threads, 'thread')}`,
    `Temperature ${metrics.settings.temperature}, max tokens ${metrics.settings.maxTokens}`
  ];
  return lines.join('\n');
}

/** "1 thread", "4 threads". */
export function count(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? noun : `${noun}s`}`;
}

const backendNames: Record<string, string> = { cpu: 'CPU', cuda: 'CUDA GPU', vulkan: 'Vulkan GPU', metal: 'Metal GPU' };

/** A benchmark's device key ("cpu:AMD EPYC 7763", "cuda:NVIDIA H200") in words: "CPU (AMD EPYC 7763)". */
export function deviceLabel(key: string): string {
  const colon = key.indexOf(':');
  if (colon === -1) return key;
  const backend = key.slice(0, colon);
  const device = key.slice(colon + 1);
  return `${backendNames[backend] ?? backend}${device && device !== 'unknown' ? ` (${device})` : ''}`;
}

/** Where a benchmark's memory bandwidth came from, as the end of "… at 20.1 GB/s, <this>". */
export function bandwidthSourceText(source: string): string {
  if (source === 'measured (CPU memory test)') return 'measured by a CPU memory test';
  if (source === 'GPU specification table') return "from the GPU's specification";
  return source;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

export function formatRelativeTime(timestamp: number, now = Date.now()): string {
  const diff = Math.max(0, now - timestamp);
  if (diff < 60_000) return 'just now';
  if (diff < 3_600_000) return `${Math.floor(diff / 60_000)} min ago`;
  if (diff < 86_400_000) return `${Math.floor(diff / 3_600_000)} h ago`;
  return new Date(timestamp).toLocaleDateString();
}

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** Memory and file sizes: GiB with one decimal, MiB below 1 GiB (one decimal below 10 MiB). */
export function formatSize(bytes: number): string {
  const value = Math.max(0, bytes);
  if (value >= GiB) return `${(value / GiB).toFixed(1)} GiB`;
  const mib = value / MiB;
  if (mib >= 1023.5) return '1.0 GiB';
  return `${mib >= 10 ? Math.round(mib) : mib.toFixed(1)} MiB`;
}

/** 8192 → "8K"; a size that is not a multiple of 1024 is shown as tokens. */
export function formatContext(tokens: number): string {
  return tokens % 1024 === 0 ? `${tokens / 1024}K` : `${tokens.toLocaleString('en-US')} tokens`;
}

/** The estimator's decode speed, always marked as an estimate. */
export function formatSpeedEstimate(tokensPerSecond: number | null): string {
  if (tokensPerSecond === null) return 'speed unknown';
  return `≈ ${roundSpeed(tokensPerSecond)} tok/s est.`;
}

/** Download speed: KiB/s below 1 MiB/s, else MiB/s with one decimal. */
export function formatByteRate(bytesPerSecond: number): string {
  const kib = Math.max(0, bytesPerSecond) / 1024;
  if (kib < 1024) return `${Math.round(kib)} KiB/s`;
  return `${(kib / 1024).toFixed(1)} MiB/s`;
}

/** Time left: "12 s", "3 min", "1 h 5 min". */
export function formatEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  const hours = Math.floor(s / 3600);
  const minutes = Math.round((s % 3600) / 60);
  return minutes > 0 ? `${hours} h ${minutes} min` : `${hours} h`;
}

/** Bytes of a transfer: KiB below 1 MiB (where formatSize would say "0.0 MiB"), else as formatSize. */
export function formatTransferSize(bytes: number): string {
  return bytes < MiB ? `${Math.round(Math.max(0, bytes) / 1024)} KiB` : formatSize(bytes);
}

/** Short times, where whole milliseconds hide the difference (a fast model spends 1.4 ms per token). */
export function formatMilliseconds(ms: number): string {
  if (ms >= 1000) return formatDuration(ms);
  if (ms >= 10) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(ms >= 1 ? 1 : 2)} ms`;
}

/** A repeated measurement as mean ± standard deviation, e.g. "512 ± 3.1 tok/s". */
export function formatStatistic(statistic: Statistic, unit: string): string {
  const figure = (value: number) => (value >= 100 ? Math.round(value).toString() : value.toFixed(1));
  return `${figure(statistic.mean)} ± ${figure(statistic.std)} ${unit}`;
}
