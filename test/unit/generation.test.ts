import { describe, expect, it, vi } from 'vitest';
import {
  acceptanceRate,
  defaultGenerationSettings,
  generationSettingsSchema,
  knownChatTemplates,
  methods,
  reshapeDistribution,
  samplingPresets
} from '../../src-main/api';
import { readSettings } from '../../src-main/history';
import { toLlamaSampling } from '../../src-main/inference';
import { replyPrinter, settingsFromFlags } from '../../src-main/cli/chat';
import { specializedChatWrapperTypeNames } from 'node-llama-cpp';

describe('generation settings → node-llama-cpp options', () => {
  it('passes every sampling option explicitly, with the repeat penalty off at 1 and no penalties', () => {
    expect(toLlamaSampling(defaultGenerationSettings)).toEqual({
      temperature: 0.7,
      topK: 40,
      topP: 0.95,
      minP: 0.05,
      maxTokens: 4096,
      repeatPenalty: false
    });
  });

  it('maps each setting to its option', () => {
    const options = toLlamaSampling({
      ...defaultGenerationSettings,
      temperature: 0.3,
      topK: 5,
      topP: 0.5,
      minP: 0.2,
      maxTokens: 77,
      seed: 7,
      repeatPenalty: 1.2,
      repeatLastTokens: 128,
      presencePenalty: 0.4,
      frequencyPenalty: 0.6,
      stop: ['\n\n', 'User:']
    });
    expect(options).toEqual({
      temperature: 0.3,
      topK: 5,
      topP: 0.5,
      minP: 0.2,
      maxTokens: 77,
      seed: 7,
      // Stop strings are Hearth's to match on the text, never node-llama-cpp's token triggers.
      repeatPenalty: { penalty: 1.2, presencePenalty: 0.4, frequencyPenalty: 0.6, lastTokens: 128, penalizeNewLine: false }
    });
  });

  it('turns the penalty stage on for a presence or frequency penalty alone, leaving the repeat penalty at 1', () => {
    expect(toLlamaSampling({ ...defaultGenerationSettings, presencePenalty: 0.5 }).repeatPenalty).toEqual({
      penalty: 1,
      presencePenalty: 0.5,
      frequencyPenalty: 0,
      lastTokens: 64,
      penalizeNewLine: false
    });
  });
});

describe('settings validation', () => {
  const issue = (changes: Record<string, unknown>) => {
    const result = generationSettingsSchema.safeParse({ ...defaultGenerationSettings, ...changes });
    return result.success ? null : result.error.issues[0].message;
  };

  it('accepts the defaults and every preset', () => {
    expect(issue({})).toBeNull();
    for (const preset of Object.values(samplingPresets)) expect(issue(preset)).toBeNull();
  });

  it('rejects out-of-range values with a clear message', () => {
    expect(issue({ temperature: -0.1 })).toMatch(/Temperature cannot be negative/);
    expect(issue({ topP: 1.5 })).toMatch(/Top-p is a probability/);
    expect(issue({ topP: 0 })).toMatch(/Top-p must be above 0/);
    expect(issue({ repeatPenalty: 0.8 })).toMatch(/would reward repetition/);
    expect(issue({ repeatLastTokens: -1 })).not.toBeNull();
    expect(issue({ presencePenalty: -3 })).not.toBeNull();
    expect(issue({ frequencyPenalty: 2.5 })).not.toBeNull();
    expect(issue({ maxTokens: 0 })).not.toBeNull();
    expect(issue({ stop: [''] })).toMatch(/stop sequence cannot be empty/);
    expect(issue({ stop: Array.from({ length: 9 }, (_, i) => `s${i}`) })).not.toBeNull();
    expect(issue({ beamWidth: 0 })).not.toBeNull();
    expect(issue({ chatTemplate: { kind: 'jinja', template: '  ' } })).toMatch(/Paste a Jinja template/);
    expect(issue({ chatTemplate: { kind: 'named', name: 'no-such-format' } })).not.toBeNull();
    expect(issue({ drafting: { kind: 'model' } })).not.toBeNull();
  });

  it('validates partial updates through the contract', () => {
    const input = methods['conversations.update'].input;
    expect(input.safeParse({ id: 1, settings: { topP: 2 } }).success).toBe(false);
    expect(input.safeParse({ id: 1, settings: { stop: ['END'], contextOverflow: 'stop' } }).success).toBe(true);
  });

  it('offers only chat templates node-llama-cpp knows', () => {
    for (const name of knownChatTemplates) expect(specializedChatWrapperTypeNames).toContain(name);
  });
});

describe('stored settings', () => {
  it('reads an older row whole, filling new fields with defaults', () => {
    expect(readSettings(JSON.stringify({ temperature: 0.2, topK: 10 }))).toEqual({ ...defaultGenerationSettings, temperature: 0.2, topK: 10 });
  });

  it('keeps the valid fields when one is not understood', () => {
    const settings = readSettings(JSON.stringify({ temperature: 0.2, drafting: { kind: 'telepathy' } }));
    expect(settings.temperature).toBe(0.2);
    expect(settings.drafting).toEqual({ kind: 'off' });
    expect(readSettings('not json')).toEqual(defaultGenerationSettings);
  });
});

describe('reshaping the next-token distribution (the inspector)', () => {
  const probabilities = [0.5, 0.2, 0.15, 0.1, 0.05];

  it('leaves the distribution alone at temperature 1 without cut-offs', () => {
    const reshaped = reshapeDistribution(probabilities, { temperature: 1, topK: 0, topP: 1, minP: 0 });
    reshaped.forEach((candidate, index) => {
      expect(candidate.after).toBeCloseTo(probabilities[index]);
      expect(candidate.cutBy).toBeNull();
    });
  });

  it('keeps only the most likely token at temperature 0', () => {
    const reshaped = reshapeDistribution(probabilities, { temperature: 0, topK: 0, topP: 1, minP: 0 });
    expect(reshaped.map((candidate) => candidate.after)).toEqual([1, 0, 0, 0, 0]);
    expect(reshaped.slice(1).every((candidate) => candidate.cutBy === 'temperature')).toBe(true);
  });

  it('cuts by top-k, then top-p, then min-p, in llama.cpp order', () => {
    expect(reshapeDistribution(probabilities, { temperature: 1, topK: 2, topP: 1, minP: 0 }).map((c) => c.cutBy)).toEqual([null, null, 'topK', 'topK', 'topK']);
    // 0.5 + 0.2 = 0.7 < 0.75, so the third token is needed to reach top-p.
    expect(reshapeDistribution(probabilities, { temperature: 1, topK: 0, topP: 0.75, minP: 0 }).map((c) => c.cutBy)).toEqual([null, null, null, 'topP', 'topP']);
    // min-p 0.3 of the top (0.5) is 0.15: 0.15 stays, 0.1 goes.
    expect(reshapeDistribution(probabilities, { temperature: 1, topK: 0, topP: 1, minP: 0.3 }).map((c) => c.cutBy)).toEqual([null, null, null, 'minP', 'minP']);
  });

  it('sharpens with a low temperature and flattens with a high one, over the tokens kept', () => {
    const cold = reshapeDistribution(probabilities, { temperature: 0.5, topK: 0, topP: 1, minP: 0 });
    const hot = reshapeDistribution(probabilities, { temperature: 2, topK: 0, topP: 1, minP: 0 });
    expect(cold[0].after).toBeGreaterThan(0.5);
    expect(hot[0].after).toBeLessThan(0.5);
    for (const reshaped of [cold, hot]) expect(reshaped.reduce((sum, candidate) => sum + candidate.after, 0)).toBeCloseTo(1);
  });
});

describe('speculative decoding figures', () => {
  it('gives the share of drafted tokens accepted, or null when nothing was drafted', () => {
    expect(acceptanceRate({ kind: 'promptLookup', draftModel: null, validated: 3, refuted: 1 })).toBe(0.75);
    expect(acceptanceRate({ kind: 'promptLookup', draftModel: null, validated: 0, refuted: 0 })).toBeNull();
    expect(acceptanceRate(null)).toBeNull();
  });
});

describe('hearth chat flags', () => {
  it('map onto the same settings a conversation stores', () => {
    const settings = settingsFromFlags({
      temperature: '0.4',
      'top-k': '12',
      'presence-penalty': '0.5',
      'frequency-penalty': '0.25',
      stop: ['END', '\n\n'],
      'ignore-eos': true,
      template: 'chatML',
      'beam-width': '3',
      'draft-model': '/models/small.gguf'
    });
    expect(settings).toMatchObject({
      temperature: 0.4,
      topK: 12,
      presencePenalty: 0.5,
      frequencyPenalty: 0.25,
      stop: ['END', '\n\n'],
      stopAtEos: false,
      chatTemplate: { kind: 'named', name: 'chatML' },
      beamWidth: 3,
      drafting: { kind: 'model', name: 'small.gguf' },
      topP: defaultGenerationSettings.topP
    });
  });

  it('refuses an unknown template and out-of-range values', () => {
    expect(() => settingsFromFlags({ template: 'nonsense' })).toThrow(/--template must be one of/);
    expect(() => settingsFromFlags({ temperature: '-1' })).toThrow(/temperature: Temperature cannot be negative/);
    expect(() => settingsFromFlags({ 'thought-budget': '0' })).toThrow(/thoughtBudget/);
  });

  it('switch thinking off and budget it', () => {
    expect(settingsFromFlags({})).toMatchObject({ thinking: true, thoughtBudget: null });
    expect(settingsFromFlags({ 'no-thinking': true, 'thought-budget': '256' })).toMatchObject({ thinking: false, thoughtBudget: 256 });
  });
});

describe('hearth chat output', () => {
  /** What a printer writes for a thought then an answer, stderr being a terminal. */
  function printed(hide: boolean): { stdout: string; stderr: string } {
    const sink = (isTTY: boolean) => {
      const stream = { isTTY, text: '', write: (chunk: string) => ((stream.text += chunk), true) };
      return stream;
    };
    const stdout = sink(false);
    const stderr = sink(true);
    const printer = replyPrinter(stdout as unknown as NodeJS.WritableStream, stderr as unknown as NodeJS.WritableStream, hide);
    printer.delta('Hmm.', 'thought');
    printer.delta('Yes.', 'answer');
    printer.end();
    return { stdout: stdout.text, stderr: stderr.text };
  }

  it('dims the thought on a terminal, ends it with a blank line, and sends only the answer to stdout', () => {
    vi.stubEnv('NO_COLOR', '');
    expect(printed(false)).toEqual({ stderr: '\x1b[2mHmm.\x1b[22m\n\n', stdout: 'Yes.\n' });
    vi.unstubAllEnvs();
  });

  it('drops the thought when told to', () => {
    expect(printed(true)).toEqual({ stderr: '', stdout: 'Yes.\n' });
  });
});
