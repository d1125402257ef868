import type { Message } from '$api/contract';
import { formatDuration } from './format';
import type { LiveThinking } from './messageList.svelte';

function tokens(count: number): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? 'token' : 'tokens'}`;
}

/** Whether the reply is thinking right now: streaming, no answer yet, and no answer text has arrived. */
export function isThinking(message: Message, live: LiveThinking | undefined): boolean {
  return message.status === 'streaming' && message.content === '' && live?.endedAt == null;
}

/**
 * The Thinking block's heading: live while the model thinks ("Thinking… 3.2 s · 45 tokens", by this
 * page's clock `now`), then "Thought for 12.4 s · 734 tokens" from the stored figures once the reply has
 * them (from the page's clock until then), or just "Thought" for a reply that was never measured.
 */
export function thinkingLabel(message: Message, live: LiveThinking | undefined, now: number): string {
  if (live && isThinking(message, live)) return `Thinking… ${formatDuration(Math.max(0, now - live.startedAt))} · ${tokens(live.tokens)}`;
  const metrics = message.metrics;
  const stopped = metrics?.stopReason === 'maxTokensInThought' ? ' · stopped while thinking' : '';
  if (metrics && metrics.thoughtTokens > 0) {
    const spent = metrics.thinkingMs === null ? '' : ` for ${formatDuration(metrics.thinkingMs)}`;
    return `Thought${spent} · ${tokens(metrics.thoughtTokens)}${stopped}`;
  }
  if (live?.endedAt != null) return `Thought for ${formatDuration(live.endedAt - live.startedAt)} · ${tokens(live.tokens)}`;
  return `Thought${stopped}`;
}
