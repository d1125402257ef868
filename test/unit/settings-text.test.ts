import { describe, expect, it } from 'vitest';
import { defaultGenerationSettings, samplingPresets, type ContextReport } from '../../src-main/api';
import { sampleMetrics } from '../fixtures/metrics';
import { contextWarning, describeIssues, describeReplySettings, describeReplyTimeline, matchingPreset } from '../../src-renderer/src/lib/generation';

const metrics = sampleMetrics({
  quantization: null,
  chatTemplate: 'none (base model)',
  promptTokens: 5,
  prefillTokens: 5,
  outputTokens: 9,
  ttftMs: 3,
  prefillTokensPerSecond: null,
  decodeTokensPerSecond: 300,
  totalMs: 40,
  stopReason: 'stopSequence',
  stopSequence: 'Lily',
  settings: { ...defaultGenerationSettings, temperature: 0, stop: ['Lily', '###'], seed: 7, drafting: { kind: 'promptLookup' } },
  contextSize: 2048,
  speculation: { kind: 'promptLookup', draftModel: null, validated: 6, refuted: 2 }
});

const report: ContextReport = {
  model: 'stories260K.gguf',
  template: 'none (base model)',
  promptTokens: 100,
  contextSize: 2048,
  remainingTokens: 1948,
  reserveTokens: 512,
  policy: 'dropOldest',
  droppedTurns: 0,
  promptText: ''
};

describe('"Settings used" under a reply', () => {
  const rows = Object.fromEntries(describeReplySettings(metrics).map((row) => [row.label, row.value]));

  it('lists the stored settings, with "off" where a setting does nothing', () => {
    expect(rows['Temperature']).toBe('0');
    expect(rows['Top-k']).toBe('40');
    expect(rows['Repeat penalty']).toBe('off');
    expect(rows['Seed']).toBe('7');
    expect(rows['Stop sequences']).toBe('“Lily”, “###”');
    expect(rows['Stop at end-of-sequence']).toBe('yes');
    expect(rows['Chat template']).toBe('none (base model)');
    expect(rows['Beam search']).toBe('off');
    expect(rows['Speculative decoding']).toBe('prompt lookup');
  });

  it('says why it stopped and how drafting went', () => {
    expect(rows['Stop reason']).toBe('stop sequence “Lily”');
    expect(rows['Context']).toBe('2,048 tokens');
    expect(rows['Draft acceptance']).toBe('75% of 8 drafted tokens');
    expect(rows['Beam log-probability']).toBeUndefined();
  });

  it('adds the beam log-probability for a beam-search reply', () => {
    const beamed = describeReplySettings({ ...metrics, settings: { ...metrics.settings, beamWidth: 4 }, beam: { width: 4, logProbability: -3.14159 } });
    expect(beamed).toContainEqual({ label: 'Beam search', value: '4 beams, length penalty 1' });
    expect(beamed).toContainEqual({ label: 'Beam log-probability', value: '-3.14' });
  });
});

describe('"Timeline" under a reply', () => {
  it('follows the reply from prompt to stop, with its speeds and how much context it took', () => {
    const rows = Object.fromEntries(
      describeReplyTimeline({ ...metrics, promptTokens: 12, prefillTokens: 5, prefillTokensPerSecond: 1500, interTokenP50Ms: 3.2, interTokenP95Ms: 4.75, gpuLayers: 0, threads: 4 }).map(
        (row) => [row.label, row.value]
      )
    );
    expect(rows).toEqual({
      Prompt: '12 tokens, 5 evaluated at 1500 tok/s (7 from the cache)',
      'Time to first token': '3 ms',
      'Decode speed': '300 tok/s',
      'Time per output token': '3.3 ms',
      'Inter-token latency': 'p50 3.2 ms · p95 4.8 ms',
      Output: '9 tokens',
      'Total time': '40 ms',
      'Stop reason': 'stop sequence',
      'Context used': '21 of 2,048 tokens (1%)',
      'GPU layers': '0 (CPU only)',
      Threads: '4'
    });
  });

  it('says what was not measured, and when the context length is unknown', () => {
    const rows = Object.fromEntries(
      describeReplyTimeline({ ...metrics, ttftMs: null, decodeTokensPerSecond: null, interTokenP50Ms: null, contextSize: 0, gpuLayers: 33 }).map((row) => [
        row.label,
        row.value
      ])
    );
    expect(rows['Time to first token']).toBe('not measured');
    expect(rows['Time per output token']).toBe('not measured');
    expect(rows['Inter-token latency']).toBe('not measured');
    expect(rows['Context used']).toBe('14 tokens (context length unknown)');
    expect(rows['GPU layers']).toBe('33');
  });

  it('starts with the document retrieval when the conversation reads documents', () => {
    expect(describeReplyTimeline({ ...metrics, retrievalMs: 12.4 })[0]).toEqual({ label: 'Document retrieval', value: '12 ms' });
    expect(describeReplyTimeline(metrics).map((row) => row.label)).not.toContain('Document retrieval');
  });
});

describe('settings problems', () => {
  const form = { ...defaultGenerationSettings, temperature: null, seed: null };

  it('names the field, asks for a number where one was cleared, and does not repeat a label the message has', () => {
    expect(
      describeIssues(
        [
          { path: 'temperature', message: 'Invalid input: expected number, received null' },
          { path: 'settings.topP', message: 'Top-p is a probability: at most 1.' },
          { path: 'settings.maxTokens', message: 'Too big: expected number to be <=131072' },
          { path: 'systemPrompt', message: 'Too long' }
        ],
        form
      )
    ).toEqual(['Temperature: enter a number.', 'Top-p is a probability: at most 1.', 'Max tokens: Too big: expected number to be <=131072', 'systemPrompt: Too long']);
  });

  it('knows which preset the settings match', () => {
    expect(matchingPreset({ ...defaultGenerationSettings, ...samplingPresets.creative })).toBe('creative');
    expect(matchingPreset({ ...defaultGenerationSettings, ...samplingPresets.precise, temperature: 0 })).toBeNull();
  });
});

describe('the context counter’s warning', () => {
  it('stays quiet while there is room', () => {
    expect(contextWarning(report)).toBeNull();
  });

  it('says what the policy does once turns no longer fit', () => {
    expect(contextWarning({ ...report, droppedTurns: 2 })).toBe('The 2 oldest turns no longer fit: the model will not see them (the system prompt is kept).');
    expect(contextWarning({ ...report, policy: 'stop', promptTokens: 2048, remainingTokens: 0 })).toBe(
      'Only 0 tokens are left for the reply, fewer than the 512 a reply needs: the next reply will stop with a message.'
    );
    expect(contextWarning({ ...report, promptTokens: 2047, remainingTokens: 1 })).toMatch(/^Only 1 token is left for the reply, and no older turns/);
    expect(contextWarning({ ...report, promptTokens: 1900, remainingTokens: 148 })).toBe(
      'Only 148 tokens are left for the reply, and no older turns left to drop: the reply may stop when the context is full.'
    );
  });

  it('warns ahead, once less than twice the room a reply needs is left', () => {
    expect(contextWarning({ ...report, promptTokens: 1024, remainingTokens: 1024 })).toBeNull();
    expect(contextWarning({ ...report, promptTokens: 1200, remainingTokens: 848 })).toBe(
      'Only 848 tokens are left for the reply. Once fewer than 512 are left, the oldest turns will be dropped to make room (the system prompt is kept).'
    );
    expect(contextWarning({ ...report, policy: 'stop', promptTokens: 1200, remainingTokens: 848 })).toBe(
      'Only 848 tokens are left for the reply. Once fewer than 512 are left, the next reply will stop with a message instead.'
    );
  });
});
