import { describe, expect, it } from 'vitest';
import { isThinking, thinkingLabel } from '../../../src-renderer/src/lib/thinking';
import { sampleMetrics } from '../../fixtures/metrics';
import { message } from './fakes';

describe('the Thinking block heading', () => {
  const streaming = message(3, { status: 'streaming', thought: 'Hmm' });

  it('runs a timer and a token count while the model thinks', () => {
    const live = { startedAt: 10_000, endedAt: null, tokens: 45 };
    expect(isThinking(streaming, live)).toBe(true);
    expect(thinkingLabel(streaming, live, 13_240)).toBe('Thinking… 3.2 s · 45 tokens');
  });

  it('says how long the model thought once the answer starts, from the page’s clock until the reply is stored', () => {
    const answering = { ...streaming, content: 'The' };
    const live = { startedAt: 10_000, endedAt: 22_400, tokens: 734 };
    expect(isThinking(answering, live)).toBe(false);
    expect(thinkingLabel(answering, live, 30_000)).toBe('Thought for 12.4 s · 734 tokens');
  });

  it('takes the stored figures once the reply has them, and says when max tokens ran out while thinking', () => {
    const done = message(3, { thought: 'Hmm', content: 'Yes.', metrics: sampleMetrics({ thoughtTokens: 1203, thinkingMs: 61_000 }) });
    expect(thinkingLabel(done, undefined, 0)).toBe('Thought for 1 min 1 s · 1,203 tokens');
    const cut = message(3, { thought: 'Hmm', metrics: sampleMetrics({ thoughtTokens: 5, thinkingMs: 40, stopReason: 'maxTokensInThought' }) });
    expect(thinkingLabel(cut, undefined, 0)).toBe('Thought for 40 ms · 5 tokens · stopped while thinking');
  });

  it('has no figures for a reply that was never measured (an import, a crash)', () => {
    expect(thinkingLabel(message(3, { thought: 'Hmm', status: 'interrupted' }), undefined, 0)).toBe('Thought');
  });
});
