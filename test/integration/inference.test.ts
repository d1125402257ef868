import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, defaultGenerationSettings, type GenerationSettings } from '../../src-main/api';
import { baseModelFormatName, generateReply, InferenceEngine, type Reply } from '../../src-main/inference';
import { stories260K, temporaryDir, tinyRandomLlama } from '../helpers/paths';

const greedy: GenerationSettings = { ...defaultGenerationSettings, temperature: 0, maxTokens: 64 };

describe('inference on stories260K (real node-llama-cpp)', () => {
  const engine = new InferenceEngine({ gpu: false });

  beforeAll(async () => {
    await engine.load(stories260K);
  });
  afterAll(() => engine.dispose());

  const ask = (content: string, settings: GenerationSettings = greedy, onDelta?: (delta: string) => void): Promise<Reply> =>
    engine.run(1, (session, signal) => generateReply(session, { systemPrompt: '', turns: [{ role: 'user', content }], settings, onDelta }, signal));

  it('recognises a GGUF without a chat template as a base model and sets threads explicitly', () => {
    const status = engine.status();
    expect(status.state).toBe('ready');
    expect(status.model).toMatchObject({ name: 'stories260K.gguf', isBaseModel: true, chatTemplate: baseModelFormatName, gpu: false });
    expect(status.model!.threads).toBe(1);
    expect(status.model!.contextSize).toBe(2048);
  });

  it('continues "Once upon a time" greedily as the trained model does', async () => {
    const reply = await ask('Once upon a time');
    expect(reply.text.startsWith(', there was a little girl named Lily')).toBe(true);
  });

  it('streams deltas that add up to the reply, and measures it', async () => {
    const deltas: string[] = [];
    const reply = await ask('Once upon a time', greedy, (delta) => deltas.push(delta));
    expect(deltas.length).toBeGreaterThan(10);
    expect(deltas.join('')).toBe(reply.text);
    const m = reply.metrics;
    expect(m.outputTokens).toBe(64);
    expect(m.stopReason).toBe('maxTokens');
    expect(m.promptTokens).toBeGreaterThan(0);
    expect(m.ttftMs).toBeGreaterThan(0);
    expect(m.decodeTokensPerSecond).toBeGreaterThan(0);
    expect(m.totalMs).toBeGreaterThanOrEqual(m.ttftMs!);
    expect(m).toMatchObject({ modelFile: 'stories260K.gguf', quantization: 'F32', threads: 1, settings: greedy });
  });

  it('counts output tokens from the tokens emitted: re-tokenizing the text gives the same count', async () => {
    const reply = await ask('Once upon a time', { ...greedy, maxTokens: 100 });
    const model = engine.loaded!.model;
    expect(model.tokenize(reply.text, false, 'trimLeadingSpace').length).toBe(reply.metrics.outputTokens);
  });

  it('stops promptly when aborted, keeping the text so far', async () => {
    let stopAskedAt = 0;
    let deltas = 0;
    const reply = await engine.run(1, (session, signal) =>
      generateReply(
        session,
        {
          systemPrompt: '',
          turns: [{ role: 'user', content: 'Once upon a time' }],
          settings: { ...greedy, maxTokens: 100_000 },
          onDelta: () => {
            if (++deltas === 5) {
              stopAskedAt = performance.now();
              engine.stop();
            }
          }
        },
        signal
      )
    );
    const stoppedAfterMs = performance.now() - stopAskedAt;
    expect(reply.metrics.stopReason).toBe('abort');
    expect(reply.metrics.outputTokens).toBeLessThan(50);
    expect(reply.text.length).toBeGreaterThan(0);
    expect(stoppedAfterMs).toBeLessThan(2000);
  });

  it('refuses a second generation while one runs', async () => {
    let release!: () => void;
    const running = engine.run(1, () => new Promise<void>((resolve) => (release = resolve)));
    await expect(ask('Once')).rejects.toMatchObject({ code: 'BUSY' });
    release();
    await running;
  });
});

describe('loading models', () => {
  it('treats the random-weight Llama 2 shape as a base model too, and reads its F16 quantization', async () => {
    const engine = new InferenceEngine({ gpu: false });
    try {
      await engine.load(tinyRandomLlama);
      expect(engine.status().model?.isBaseModel).toBe(true);
      expect(engine.loaded?.quantization).toBe('F16');
    } finally {
      await engine.dispose();
    }
  });

  it('rejects a text file renamed .gguf with a clear error and stays usable', async () => {
    const dir = temporaryDir();
    const fake = join(dir.path, 'notes.gguf');
    writeFileSync(fake, 'these are my notes, not a model\n');
    const engine = new InferenceEngine({ gpu: false });
    try {
      const failure = await engine.load(fake).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ApiError);
      expect(failure).toMatchObject({ code: 'MODEL_INVALID' });
      expect((failure as Error).message).toMatch(/Not a usable GGUF model file/);
      expect(engine.status()).toMatchObject({ state: 'error', model: null });
      await engine.load(stories260K);
      expect(engine.status().state).toBe('ready');
    } finally {
      await engine.dispose();
      dir.remove();
    }
  });

  it('says NO_MODEL when asked to generate with nothing loaded', async () => {
    const engine = new InferenceEngine({ gpu: false });
    await expect(engine.run(1, async () => undefined)).rejects.toMatchObject({ code: 'NO_MODEL' });
  });
});
