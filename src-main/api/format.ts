import type { MessageMetrics, StopReason } from './contract';

export const stopReasonLabels: Record<StopReason, string> = {
  eos: 'end of text',
  stopSequence: 'stop sequence',
  maxTokens: 'max tokens',
  maxTokensInThought: 'max tokens, while thinking',
  contextFull: 'context full',
  toolCalls: 'tool calls',
  abort: 'stopped by you',
  error: 'error'
};

function rounded(value: number): string {
  return value >= 100 ? Math.round(value).toString() : value.toFixed(1);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** A decode speed as estimates and recommendations show it: whole tokens per second from 10, tenths below. */
export function roundSpeed(tokensPerSecond: number): number {
  return tokensPerSecond >= 10 ? Math.round(tokensPerSecond) : Math.round(tokensPerSecond * 10) / 10;
}

export function formatRate(tokensPerSecond: number): string {
  return `${rounded(tokensPerSecond)} tok/s`;
}

function tokens(count: number): string {
  return `${count} ${count === 1 ? 'token' : 'tokens'}`;
}

/** "thought 734 tokens in 12.4 s · answer 52 tokens after 12.6 s": a reasoning model's reply, split into its thought and its answer. */
export function thinkingSummary(metrics: MessageMetrics): string {
  const spent = metrics.thinkingMs === null ? '' : ` in ${formatDuration(metrics.thinkingMs)}`;
  const after = metrics.ttfaMs === null ? '' : ` after ${formatDuration(metrics.ttfaMs)}`;
  return `thought ${tokens(metrics.thoughtTokens)}${spent} · answer ${tokens(metrics.outputTokens - metrics.thoughtTokens)}${after}`;
}

/** The one-line summary under a reply, e.g. "742 tok/s · 3 ms to first token · 128 tokens · stopped: end of text". */
export function formatReplyStats(metrics: MessageMetrics): string {
  const parts: string[] = [];
  if (metrics.decodeTokensPerSecond !== null && Number.isFinite(metrics.decodeTokensPerSecond)) parts.push(formatRate(metrics.decodeTokensPerSecond));
  if (metrics.ttftMs !== null) parts.push(`${formatDuration(metrics.ttftMs)} to first token`);
  parts.push(tokens(metrics.outputTokens));
  if (metrics.thoughtTokens > 0) parts.push(thinkingSummary(metrics));
  // "stopped by you" is a sentence already; the other reasons read after "stopped:".
  if (metrics.stopReason === 'abort') parts.push(stopReasonLabels.abort);
  else parts.push(`stopped: ${stopReasonLabels[metrics.stopReason]}${metrics.stopSequence ? ` "${metrics.stopSequence}"` : ''}`);
  const acceptance = acceptanceRate(metrics.speculation);
  if (acceptance !== null) parts.push(`${Math.round(acceptance * 100)}% of drafts accepted`);
  if (metrics.droppedTurns > 0) parts.push(`${metrics.droppedTurns} oldest ${metrics.droppedTurns === 1 ? 'turn' : 'turns'} left out`);
  return parts.join(' · ');
}

/** Share of drafted tokens the model confirmed; null when nothing was drafted. */
export function acceptanceRate(speculation: MessageMetrics['speculation']): number | null {
  if (!speculation) return null;
  const checked = speculation.validated + speculation.refuted;
  return checked === 0 ? null : speculation.validated / checked;
}
