import type { MessageMetrics, StopReason } from './contract';

export const stopReasonLabels: Record<StopReason, string> = {
  eos: 'end of text',
  maxTokens: 'max tokens',
  abort: 'stopped by you',
  error: 'error'
};

function rounded(value: number): string {
  return value >= 100 ? Math.round(value).toString() : value.toFixed(1);
}

/** The one-line summary under a reply, e.g. "742 tok/s · 3 ms to first token · 128 tokens · stopped: end of text". */
export function formatReplyStats(metrics: MessageMetrics): string {
  const parts: string[] = [];
  if (metrics.decodeTokensPerSecond !== null) parts.push(`${rounded(metrics.decodeTokensPerSecond)} tok/s`);
  if (metrics.ttftMs !== null) parts.push(`${Math.round(metrics.ttftMs)} ms to first token`);
  parts.push(`${metrics.outputTokens} ${metrics.outputTokens === 1 ? 'token' : 'tokens'}`);
  parts.push(`stopped: ${stopReasonLabels[metrics.stopReason]}`);
  return parts.join(' · ');
}
