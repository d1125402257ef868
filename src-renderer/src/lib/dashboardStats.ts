import type { AlignedData } from 'uplot';
import { interTokenBucketsMs, type BenchmarkResult, type ReplyRecord, type TelemetrySample } from '$api/contract';
import { formatContext } from './format';

/**
 * The dashboard's arithmetic, kept free of Svelte and the DOM so it can be tested on its own:
 * averages and groups of stored replies, the summed latency histogram, date ranges, and the live
 * charts' columns.
 */

/** The mean of the figures that were measured; null when none were. */
export function meanOf(values: readonly (number | null)[]): number | null {
  const measured = values.filter((value): value is number => value !== null && Number.isFinite(value));
  return measured.length === 0 ? null : measured.reduce((sum, value) => sum + value, 0) / measured.length;
}

export interface ReplyGroup {
  key: string;
  label: string;
  replies: number;
  meanDecodeTokensPerSecond: number | null;
  meanTtftMs: number | null;
}

function groupReplies(records: readonly ReplyRecord[], keyOf: (record: ReplyRecord) => { key: string; label: string; order: number | string }): ReplyGroup[] {
  const groups = new Map<string, { label: string; order: number | string; members: ReplyRecord[] }>();
  for (const record of records) {
    const { key, label, order } = keyOf(record);
    const group = groups.get(key) ?? { label, order, members: [] };
    group.members.push(record);
    groups.set(key, group);
  }
  return [...groups.entries()]
    .sort(([, a], [, b]) => (typeof a.order === 'number' && typeof b.order === 'number' ? a.order - b.order : String(a.order).localeCompare(String(b.order))))
    .map(([key, { label, members }]) => ({
      key,
      label,
      replies: members.length,
      meanDecodeTokensPerSecond: meanOf(members.map((member) => member.metrics.decodeTokensPerSecond)),
      meanTtftMs: meanOf(members.map((member) => member.metrics.ttftMs))
    }));
}

/** One group per model file and quantization (the same file always has one, but a re-quantized copy may share the name). */
export function groupByModel(records: readonly ReplyRecord[]): ReplyGroup[] {
  return groupReplies(records, ({ metrics }) => {
    const label = metrics.quantization ? `${metrics.model} (${metrics.quantization})` : metrics.model;
    return { key: `${metrics.model}\u0000${metrics.quantization ?? ''}`, label, order: label };
  });
}

/** One group per loaded context length, shortest first; replies stored before it was recorded have 0. */
export function groupByContextSize(records: readonly ReplyRecord[]): ReplyGroup[] {
  return groupReplies(records, ({ metrics }) => ({
    key: String(metrics.contextSize),
    label: metrics.contextSize > 0 ? formatContext(metrics.contextSize) : 'unknown',
    order: metrics.contextSize
  }));
}

/** Bucket counts of all the replies together: one per `interTokenBucketsMs` edge, plus the last for anything slower. */
export function sumHistograms(records: readonly ReplyRecord[]): number[] {
  const totals = new Array<number>(interTokenBucketsMs.length + 1).fill(0);
  for (const { metrics } of records) {
    metrics.interTokenHistogram.forEach((count, bucket) => {
      if (bucket < totals.length) totals[bucket] += count;
    });
  }
  return totals;
}

/** The histogram's axis: each bucket by its upper edge in ms, the last as everything above the last edge. */
export const interTokenBucketLabels: readonly string[] = [
  ...interTokenBucketsMs.map((edge) => `≤${edge}`),
  `>${interTokenBucketsMs[interTokenBucketsMs.length - 1]}`
];

/** The latest `count` replies, newest first (the API lists them oldest first). */
export function latestFirst(records: readonly ReplyRecord[], count: number): ReplyRecord[] {
  return records.slice(-count).reverse();
}

/** Local calendar days from date inputs ("2025-03-01"; empty: open-ended), as the API's inclusive ms bounds. */
export function dayRange(from: string, to: string): { since?: number; until?: number } {
  const range: { since?: number; until?: number } = {};
  const start = parseDay(from);
  const end = parseDay(to);
  if (start) range.since = start.getTime();
  // Up to the last millisecond of the day: the start of the next one (whatever its length, DST included) minus one.
  if (end) range.until = new Date(end.getFullYear(), end.getMonth(), end.getDate() + 1).getTime() - 1;
  return range;
}

function parseDay(value: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  return match ? new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : null;
}

/** "1, 2, 4" → [1, 2, 4]; null unless it is 1 to 6 whole numbers from 1 to 16 (what `bench.run` takes). */
export function parseBatchSizes(text: string): number[] | null {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0 || parts.length > 6 || !parts.every((part) => /^\d+$/.test(part))) return null;
  const sizes = parts.map(Number);
  return sizes.every((size) => size >= 1 && size <= 16) ? sizes : null;
}

/** The decode speed the cost estimate uses, and where it came from. */
export interface SpeedForCost {
  tokensPerSecond: number;
  source: string;
}

/** A benchmark measures decode on purpose, so the latest one wins; without one, the replies shown are averaged. */
export function speedForCost(benchmarks: readonly BenchmarkResult[], records: readonly ReplyRecord[]): SpeedForCost | null {
  const latest = benchmarks[0];
  if (latest) return { tokensPerSecond: latest.decodeTokensPerSecond.mean, source: `the latest benchmark (${latest.model}, decode mean)` };
  const measured = records.filter(({ metrics }) => metrics.decodeTokensPerSecond !== null);
  const mean = meanOf(measured.map(({ metrics }) => metrics.decodeTokensPerSecond));
  if (mean === null) return null;
  return { tokensPerSecond: mean, source: `the average decode speed of the ${measured.length} ${measured.length === 1 ? 'reply' : 'replies'} shown` };
}

/** Money in cents, and below a dime with three significant digits: a fast local model costs fractions of a cent. */
export function formatMoney(amount: number, currency: string): string {
  const digits = amount !== 0 && Math.abs(amount) < 0.1 ? { maximumSignificantDigits: 3 } : { minimumFractionDigits: 2, maximumFractionDigits: 2 };
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency, ...digits }).format(amount);
  } catch {
    // Not an ISO 4217 code ("€", "credits"): the number, then whatever the user typed.
    return `${new Intl.NumberFormat('en-US', digits).format(amount)} ${currency}`;
  }
}

/** How far back the live charts look. */
export const liveWindowMs = 5 * 60_000;

/** Samples in time order without repeats, within the window before the newest one (the server's clock, not this one's). */
export function mergeSamples(current: readonly TelemetrySample[], added: readonly TelemetrySample[], windowMs = liveWindowMs): TelemetrySample[] {
  const byTime = new Map<number, TelemetrySample>();
  for (const sample of [...current, ...added]) byTime.set(sample.at, sample);
  const sorted = [...byTime.values()].sort((a, b) => a.at - b.at);
  const newest = sorted[sorted.length - 1]?.at ?? 0;
  return sorted.filter((sample) => sample.at > newest - windowMs);
}

/** Samples come a second apart while watched; a longer silence (the dashboard was closed) is a gap, not a line. */
export const liveGapMs = 2500;

/** A point in a live chart: a sample, or the start of a gap (its values are null, so uPlot breaks the line there). */
type LivePoint = { at: number; sample: TelemetrySample | null };

function withGaps(samples: readonly TelemetrySample[]): LivePoint[] {
  const points: LivePoint[] = [];
  samples.forEach((sample, index) => {
    const previous = samples[index - 1];
    if (previous && sample.at - previous.at > liveGapMs) points.push({ at: previous.at + 1000, sample: null });
    points.push({ at: sample.at, sample });
  });
  return points;
}

/** uPlot's time axis counts seconds. */
function columns(samples: readonly TelemetrySample[], values: Array<(sample: TelemetrySample) => number | null>): AlignedData {
  const points = withGaps(samples);
  return [points.map((point) => point.at / 1000), ...values.map((value) => points.map((point) => (point.sample ? value(point.sample) : null)))];
}

/** Columns for the memory chart: RAM in use, Hearth's own, then VRAM in use per GPU (by position). */
export function memoryColumns(samples: readonly TelemetrySample[], gpuCount: number): AlignedData {
  return columns(samples, [
    (sample) => sample.memoryTotalBytes - sample.memoryFreeBytes,
    (sample) => sample.appBytes,
    ...Array.from({ length: gpuCount }, (_, gpu) => (sample: TelemetrySample) => sample.gpus[gpu]?.vramUsedBytes ?? null)
  ]);
}

/** Columns for the load chart: CPU %, then each GPU's utilisation where the platform reports it. */
export function loadColumns(samples: readonly TelemetrySample[], gpuCount: number): AlignedData {
  return columns(samples, [(sample) => sample.cpuPercent, ...Array.from({ length: gpuCount }, (_, gpu) => (sample: TelemetrySample) => sample.gpus[gpu]?.utilizationPercent ?? null)]);
}

/** The live charts' time ticks (uPlot seconds) as clock times: "14:05" on the minute, "14:05:30" between. */
export function clockTicks(splits: readonly number[], locale?: string): string[] {
  const minutes = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', hour12: false });
  const seconds = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  return splits.map((split) => (split % 60 === 0 ? minutes : seconds).format(split * 1000));
}

/** Columns for the replies-over-time chart: decode tok/s and time to first token against when each reply was made. */
export function replyColumns(records: readonly ReplyRecord[]): AlignedData {
  return [
    records.map((record) => record.createdAt / 1000),
    records.map((record) => record.metrics.decodeTokensPerSecond),
    records.map((record) => record.metrics.ttftMs)
  ];
}
