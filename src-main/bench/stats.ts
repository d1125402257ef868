import type { Statistic } from '../api';

/** Mean and sample standard deviation of the repetitions. */
export function statistic(values: readonly number[]): Statistic {
  const n = values.length;
  if (n === 0) return { mean: 0, std: 0, n: 0 };
  const mean = values.reduce((sum, value) => sum + value, 0) / n;
  const variance = n > 1 ? values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(variance), n };
}

/** The decode speed memory bandwidth allows: every generated token reads `bytesPerToken` once. */
export function decodeLimitTokensPerSecond(bandwidthGbPerSecond: number, bytesPerToken: number): number {
  return (bandwidthGbPerSecond * 1e9) / bytesPerToken;
}
