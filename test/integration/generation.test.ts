import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, defaultGenerationSettings, type GenerationSettings } from '../../src-main/api';
import type { Token } from 'node-llama-cpp';
import { beamSearch, endOfGenerationTokens, endOfSequenceBias, generateReply, InferenceEngine, nextTokenDistribution, plainTextTokens, type DraftingRequest, type Reply, type Turn } from '../../src-main/inference';
import { stories260K, tinyRandomLlama } from '../helpers/paths';
import { storiesStopCases } from '../fixtures/stops';

const greedy: GenerationSettings = { ...defaultGenerationSettings, temperature: 0, maxTokens: 48 };
const story: Turn[] = [{ role: 'user', content: 'Once upon a time' }];

function distinctRatio(engine: InferenceEngine, text: string): number {
  const tokens = engine.loaded!.model.tokenize(text);
  return new Set(tokens).size / tokens.length;
}

describe('generation controls on stories260K (real node-llama-cpp)', () => {
  const engine = new InferenceEngine({ gpu: false });
  beforeAll(async () => {
    await engine.load(stories260K);
  });
  afterAll(() => engine.dispose());

  const ask = (settings: Partial<GenerationSettings>, turns: Turn[] = story, drafting?: DraftingRequest): Promise<Reply> =>
    engine.run((run, signal) => generateReply(run, { systemPrompt: '', turns, settings: { ...greedy, ...settings } }, signal), { kind: 'chat', drafting });

  it('gives the same text for the same seed and other text for another seed', async () => {
    const sampled = { temperature: 1, topK: 0, topP: 1, minP: 0, seed: 42, maxTokens: 40 };
    const first = await ask(sampled);
    const again = await ask(sampled);
    const other = await ask({ ...sampled, seed: 7 });
    expect(again.text).toBe(first.text);
    expect(other.text).not.toBe(first.text);
  });

  it('samples greedily with top-k 1 whatever the temperature', async () => {
    const byTopK = await ask({ temperature: 1.5, topK: 1, topP: 1, minP: 0, seed: 3 });
    const byTemperature = await ask({});
    expect(byTopK.text).toBe(byTemperature.text);
  });

  it('cuts the reply exactly before a stop string and says which one stopped it', async () => {
    const reply = await ask({ stop: ['Lily'] });
    // The space before "Lily" belongs to the token " Lily", but not to the stop string: it stays.
    expect(reply.text).toBe(', there was a little girl named ');
    expect(reply.metrics).toMatchObject({ stopReason: 'stopSequence', stopSequence: 'Lily' });
    expect(reply.metrics.settings.stop).toEqual(['Lily']);
  });

  it('matches stop strings that span tokens, contain spaces or start inside a token; streamed text equals the whole', async () => {
    for (const [stop, before] of storiesStopCases) {
      const deltas: string[] = [];
      const reply = await engine.run(
        (run, signal) => generateReply(run, { systemPrompt: '', turns: story, settings: { ...greedy, stop: [stop, 'never'] }, onDelta: (delta) => deltas.push(delta) }, signal),
        { kind: 'chat' }
      );
      expect(reply.text).toBe(before);
      expect(deltas.join('')).toBe(before);
      expect(reply.metrics).toMatchObject({ stopReason: 'stopSequence', stopSequence: stop });
    }
  });

  it('respects max tokens exactly', async () => {
    const reply = await ask({ maxTokens: 17, stopAtEos: false });
    expect(reply.metrics.outputTokens).toBe(17);
    expect(reply.metrics.stopReason).toBe('maxTokens');
    expect(engine.loaded!.model.tokenize(reply.text, false, 'trimLeadingSpace')).toHaveLength(17);
  });

  it('bans every end-of-generation token when told not to stop at end of sequence', () => {
    const model = engine.loaded!.model;
    expect(endOfSequenceBias(model, greedy)).toBeUndefined();
    const banned = endOfGenerationTokens(model);
    expect(banned).toContain(model.tokens.eos);
    expect(banned.every((token) => model.isEogToken(token))).toBe(true);
    expect(endOfSequenceBias(model, { ...greedy, stopAtEos: false })).toBeDefined();
  });

  it('raises the share of distinct tokens in a long reply with presence and frequency penalties', async () => {
    const long = { maxTokens: 300, stopAtEos: false };
    const plain = await ask(long);
    const penalised = await ask({ ...long, presencePenalty: 1.5, frequencyPenalty: 1.5, repeatLastTokens: 256 });
    expect(distinctRatio(engine, penalised.text)).toBeGreaterThan(distinctRatio(engine, plain.text) + 0.05);
  });

  it('records the settings used, the context size and the prompt format with the reply', async () => {
    const reply = await ask({ presencePenalty: 0.5, seed: 9 });
    expect(reply.metrics).toMatchObject({ contextSize: 2048, droppedTurns: 0, speculation: null, beam: null, chatTemplate: expect.stringMatching(/base model/) });
    expect(reply.metrics.settings).toMatchObject({ presencePenalty: 0.5, seed: 9, temperature: 0 });
  });

  it('applies a chosen chat template instead of plain continuation, and refuses a broken Jinja one', async () => {
    const reply = await ask({ chatTemplate: { kind: 'named', name: 'chatML' }, maxTokens: 8 });
    expect(reply.metrics.chatTemplate).toBe('chatML');
    const broken = await ask({ chatTemplate: { kind: 'jinja', template: '{% for message in messages %}{{ message.content' } }).catch((error: unknown) => error);
    expect(broken).toBeInstanceOf(ApiError);
    expect(broken).toMatchObject({ code: 'SETTINGS_INVALID' });
  });

  describe('beam search', () => {
    const beam = (width: number, maxTokens = 24) =>
      engine.run(async ({ session }, signal) => {
        const context = await session.model.createContext({ contextSize: 512, sequences: width, threads: 1 });
        try {
          const sequences = Array.from({ length: width }, () => context.getSequence());
          const promptTokens = plainTextTokens(session.model, 'Once upon a time');
          return await beamSearch(session.model, sequences, { promptTokens, width, maxTokens, lengthPenalty: 0, stopAtEos: false, stop: [], signal });
        } finally {
          await context.dispose();
        }
      }, { kind: 'chat' });

    it('equals greedy decoding with width 1', async () => {
      const greedyReply = await ask({ maxTokens: 24, stopAtEos: false });
      const result = await beam(1);
      expect(result.text).toBe(greedyReply.text);
      expect(result.tokens).toHaveLength(24);
    });

    /** One scorer for both sequences, so batching differences between searches cannot tip the comparison. */
    const logProbabilityOf = (tokens: Token[]) =>
      engine.run(async ({ session, sequence }) => {
        const promptTokens = plainTextTokens(session.model, 'Once upon a time');
        let total = 0;
        for (let index = 0; index < tokens.length; index++) {
          const { probabilities } = await nextTokenDistribution(sequence, [...promptTokens, ...tokens.slice(0, index)]);
          total += Math.log(probabilities.get(tokens[index]) ?? 0);
        }
        return total;
      }, { kind: 'chat' });

    it('finds a sequence at least as likely as the greedy one with width 3', async () => {
      const [greedyResult, wide] = [await beam(1), await beam(3)];
      expect(wide.tokens).toHaveLength(24);
      const [greedyScore, wideScore] = [await logProbabilityOf(greedyResult.tokens), await logProbabilityOf(wide.tokens)];
      expect(Number.isFinite(wideScore)).toBe(true);
      expect(wideScore).toBeGreaterThanOrEqual(greedyScore);
      expect(wide.logProbability).toBeCloseTo(wideScore, 2);
    });

    it('runs as a reply setting and records its width and log-probability', async () => {
      const reply = await ask({ beamWidth: 3, lengthPenalty: 0, maxTokens: 16, stopAtEos: false });
      expect(reply.metrics.beam).toMatchObject({ width: 3 });
      expect(reply.metrics.beam!.logProbability).toBeLessThan(0);
      expect(reply.metrics.outputTokens).toBe(16);
      expect(reply.text.length).toBeGreaterThan(0);
    });
  });

  describe('speculative decoding', () => {
    it('gives the same greedy text with prompt-lookup drafting, and reports how many drafts were accepted', async () => {
      const repetitive: Turn[] = [{ role: 'user', content: 'Once upon a time, there was a little girl named Lily. She loved to play outside. Once upon a time' }];
      const plain = await ask({ maxTokens: 64, stopAtEos: false }, repetitive);
      const drafted = await ask({ maxTokens: 64, stopAtEos: false, drafting: { kind: 'promptLookup' } }, repetitive, { kind: 'promptLookup' });
      expect(drafted.text).toBe(plain.text);
      const speculation = drafted.metrics.speculation!;
      expect(speculation.kind).toBe('promptLookup');
      // Drafted tokens the model checks are not output, and a model without thoughts has no thought tokens.
      expect(drafted.metrics).toMatchObject({ outputTokens: 64, thoughtTokens: 0, thinkingMs: null });
      expect(speculation.validated + speculation.refuted).toBeGreaterThan(0);
    });

    it('gives the same greedy text with a draft model of the same vocabulary', async () => {
      const plain = await ask({ maxTokens: 64, stopAtEos: false });
      const draft: DraftingRequest = { kind: 'model', name: 'stories260K.gguf', path: stories260K };
      const drafted = await ask({ maxTokens: 64, stopAtEos: false, drafting: { kind: 'model', name: 'stories260K.gguf' } }, story, draft);
      expect(drafted.text).toBe(plain.text);
      // A draft as fast as its target is seldom ahead of it, so how many drafts arrive varies; the record is what matters here.
      expect(drafted.metrics.speculation).toMatchObject({ kind: 'model', draftModel: 'stories260K.gguf', refuted: 0 });
      expect(drafted.metrics).toMatchObject({ outputTokens: 64, thoughtTokens: 0, thinkingMs: null, ttfaMs: drafted.metrics.ttftMs });
    });

    it('refuses a draft model with another vocabulary and stays usable', async () => {
      const other: DraftingRequest = { kind: 'model', name: 'llama-2-tiny-random.gguf', path: tinyRandomLlama };
      const refused = await ask({ drafting: { kind: 'model', name: 'llama-2-tiny-random.gguf' } }, story, other).catch((error: unknown) => error);
      expect(refused).toMatchObject({ code: 'SETTINGS_INVALID', message: expect.stringMatching(/different vocabulary/) });
      expect((await ask({})).text.startsWith(', there was a little girl named Lily')).toBe(true);
    });
  });
});

describe('context overflow on a 256-token context', () => {
  const engine = new InferenceEngine({ gpu: false });
  beforeAll(async () => {
    await engine.load(stories260K, 'stories260K.gguf', { contextSize: 256 });
  });
  afterAll(() => engine.dispose());

  const longTalk: Turn[] = Array.from({ length: 12 }, (_, index) => ({
    role: index % 2 === 0 ? ('user' as const) : ('assistant' as const),
    content: index % 2 === 0 ? ` Tell me about the little dog number ${index}.` : ' The little dog was happy and played in the big park with his friends all day long.'
  }));

  const ask = (settings: Partial<GenerationSettings>) =>
    engine.run((run, signal) => generateReply(run, { systemPrompt: 'A story.', turns: longTalk, settings: { ...greedy, maxTokens: 32, ...settings } }, signal), { kind: 'chat' });

  it('drops the oldest turns, keeping the latest, and says how many', async () => {
    const reply = await ask({ contextOverflow: 'dropOldest' });
    expect(reply.metrics.droppedTurns).toBeGreaterThan(0);
    expect(reply.metrics.droppedTurns % 2).toBe(0);
    expect(reply.metrics.promptTokens + 32).toBeLessThanOrEqual(256);
  });

  it('drops enough turns for the reply asked for, so it ends at max tokens rather than "context full"', async () => {
    // 100 tokens asked: more than the least room (a quarter of 256), within half the context.
    const reply = await ask({ contextOverflow: 'dropOldest', maxTokens: 100, stopAtEos: false });
    expect(reply.metrics.promptTokens + 100).toBeLessThanOrEqual(256);
    expect(reply.metrics.outputTokens).toBe(100);
    expect(reply.metrics.stopReason).toBe('maxTokens');
  });

  it('stops with a clear message under the stop policy', async () => {
    const refused = await ask({ contextOverflow: 'stop' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ code: 'CONTEXT_FULL', message: expect.stringMatching(/context holds 256/) });
  });
});
