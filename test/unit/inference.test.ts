import { describe, expect, it } from 'vitest';
import { defaultGenerationSettings } from '../../src-main/api';
import type { LlamaChatResponseChunk, LlamaContextSequence, Token } from 'node-llama-cpp';
import { basePrompt, chatHistory, chooseThreads, decodeRate, ReplyClock, threadsFromEnv } from '../../src-main/inference';
import { ReplyCollector } from '../../src-main/inference/collector';
import { firstStop, StopMatcher } from '../../src-main/inference/stop';
import { sampleMetrics } from '../fixtures/metrics';

describe('reply metrics', () => {
  it('measures time to first token, prefill and decode speed from the token times', () => {
    let now = 1000;
    const clock = new ReplyClock(() => now);
    now = 1010;
    clock.tokens(1, 'answer', { promptTokens: 20, prefillTokens: 20 });
    for (let i = 0; i < 10; i++) {
      now += 2;
      clock.tokens(1);
    }
    now += 5;
    const metrics = clock.finish({ stopReason: 'eos', stopSequence: null, model: 'm', quantization: null, chatTemplate: 't', settings: defaultGenerationSettings, threads: 1, gpuLayers: 0, contextSize: 512, droppedTurns: 0, speculation: null, beam: null });
    expect(metrics.ttftMs).toBe(10);
    expect(metrics.outputTokens).toBe(11);
    expect(metrics.decodeTokensPerSecond).toBe(500);
    expect(metrics.prefillTokensPerSecond).toBe(2000);
    expect(metrics.totalMs).toBe(35);
    expect(metrics.promptTokens).toBe(20);
  });

  it('has no decode rate for fewer than two tokens', () => {
    expect(decodeRate(1, 5, 5)).toBeNull();
    expect(decodeRate(0, null, null)).toBeNull();
    expect(decodeRate(3, 0, 1000)).toBe(2);
  });
});

describe('thread count', () => {
  it('uses one thread for tiny models, the physical cores otherwise, and an explicit override first', () => {
    expect(chooseThreads({ physicalCores: 8, modelBytes: 1_000_000 })).toBe(1);
    expect(chooseThreads({ physicalCores: 8, modelBytes: 4e9 })).toBe(8);
    expect(chooseThreads({ physicalCores: 0, modelBytes: 4e9 })).toBe(1);
    expect(chooseThreads({ override: 3, physicalCores: 8, modelBytes: 1 })).toBe(3);
  });

  it('reads HEARTH_THREADS only when it is a positive whole number', () => {
    expect(threadsFromEnv({ HEARTH_THREADS: '4' })).toBe(4);
    expect(threadsFromEnv({ HEARTH_THREADS: 'many' })).toBeUndefined();
    expect(threadsFromEnv({ HEARTH_THREADS: '-2' })).toBeUndefined();
    expect(threadsFromEnv({})).toBeUndefined();
  });
});

describe('prompts', () => {
  const turns = [
    { role: 'user' as const, content: 'Once upon a time' },
    { role: 'assistant' as const, content: ', there was a girl.' },
    { role: 'user' as const, content: ' Then' }
  ];

  it('continues a base model from the plain text of the conversation', () => {
    expect(basePrompt('', turns)).toBe('Once upon a time, there was a girl. Then');
    expect(basePrompt('A story:', turns.slice(0, 1))).toBe('A story:\nOnce upon a time');
  });

  it('sends Hearth’s own system prompt to a chat model only when there is one', () => {
    expect(chatHistory('', turns.slice(0, 1))).toEqual([{ type: 'user', text: 'Once upon a time' }]);
    expect(chatHistory('Be kind.', turns)).toEqual([
      { type: 'system', text: 'Be kind.' },
      { type: 'user', text: 'Once upon a time' },
      { type: 'model', response: [', there was a girl.'] },
      { type: 'user', text: ' Then' }
    ]);
  });
});

describe('collecting a reply from node-llama-cpp’s chunks', () => {
  /** A sequence whose token meter the test advances, as generation would. */
  const meter = { usedOutputTokens: 0, usedInputTokens: 0 };
  const sequence = { tokenMeter: meter } as unknown as LlamaContextSequence;
  const chunk = (text: string, segmentType?: 'thought' | 'comment'): LlamaChatResponseChunk =>
    (segmentType ? { type: 'segment', segmentType, text, tokens: [] } : { type: undefined, segmentType: undefined, text, tokens: [] }) as unknown as LlamaChatResponseChunk;

  it('keeps segments apart from the answer, labels a segment that is not a thought, and counts every token by the meter', () => {
    meter.usedOutputTokens = 0;
    const clock = new ReplyClock();
    const deltas: [string, string][] = [];
    const collector = new ReplyCollector(sequence, clock, 10, { onDelta: (delta, _tokens, segment) => deltas.push([segment, delta]) });
    meter.usedOutputTokens = 3;
    collector.chunk(chunk('Let me see.', 'thought'));
    meter.usedOutputTokens = 5;
    collector.chunk(chunk('Calling the tool.', 'comment'));
    meter.usedOutputTokens = 8;
    collector.answerTokens([1, 2] as Token[]);
    collector.chunk(chunk('\n\nYes.'));
    expect(collector.thought).toBe('Let me see.\n\n[comment]\nCalling the tool.');
    expect(collector.answer).toBe('Yes.');
    expect(deltas.at(-1)).toEqual(['answer', 'Yes.']);
    const metrics = clock.finish({ ...sampleMetrics() });
    // The closing marker counted by the meter before the answer's two tokens belongs to the thought.
    expect(metrics).toMatchObject({ outputTokens: 8, thoughtTokens: 6 });
  });

  it('starts the answer of a continued thought after its blank line, even when no thought text comes first', () => {
    meter.usedOutputTokens = 0;
    const collector = new ReplyCollector(sequence, new ReplyClock(), 10, { afterThought: true });
    meter.usedOutputTokens = 2;
    collector.answerTokens([1, 2] as Token[]);
    collector.chunk(chunk('\n\nYes.'));
    expect(collector.answer).toBe('Yes.');
  });
});

describe('stop strings on the generated text', () => {
  /** Streams `pieces` through a matcher: what was released, piece by piece, and the stop. */
  function stream(pieces: string[], stops: string[]) {
    const matcher = new StopMatcher(stops);
    const released = pieces.map((piece) => matcher.push(piece));
    released.push(matcher.flush());
    return { released, text: released.join(''), stop: matcher.stop };
  }

  it('finds a stop string that spans pieces, contains a space or starts inside a piece, keeping exactly the text before it', () => {
    const pieces = [',', ' there', ' was', ' a', ' little', ' girl', ' named', ' Lily'];
    expect(stream(pieces, [' little girl'])).toMatchObject({ text: ', there was a', stop: ' little girl' });
    expect(stream(pieces, ['tle gi'])).toMatchObject({ text: ', there was a lit', stop: 'tle gi' });
    expect(stream(pieces, ['named'])).toMatchObject({ text: ', there was a little girl ', stop: 'named' });
    expect(stream(pieces, ['ttle'])).toMatchObject({ text: ', there was a li', stop: 'ttle' });
    expect(stream(pieces, ['Tom'])).toMatchObject({ text: pieces.join(''), stop: null });
  });

  it('stops at the earliest of several stop strings, whatever their order', () => {
    expect(stream(['one two three'], ['three', 'two'])).toMatchObject({ text: 'one ', stop: 'two' });
    expect(firstStop('one two three', ['three', 'two'])).toEqual({ index: 4, stop: 'two' });
    expect(firstStop('abc', [])).toBeNull();
  });

  it('holds back only a tail that could still become a stop string, and releases it when it cannot', () => {
    const { released } = stream(['Hello Wor', 'ld', '!'], ['World!?']);
    // "Wor" could begin "World!?"; so could "World!"; at the end nothing matched and all of it goes out.
    expect(released).toEqual(['Hello ', '', '', 'World!']);
    expect(stream(['a', 'b', 'c'], ['bd']).released).toEqual(['a', '', 'bc', '']);
  });
});
