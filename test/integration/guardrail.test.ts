import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FitReport } from '../../src-main/api';
import { writeSparseShapeFixture, type ModelShape } from '../fixtures/shapes';
import { startTestHearth, type TestHearth } from '../helpers/hearth';
import { stories260K } from '../helpers/paths';

const llama2_70b: ModelShape = { name: 'Llama 2 70B', architecture: 'llama', layers: 80, embedding: 8192, feedForward: 28672, heads: 64, kvHeads: 8, headDim: 128, vocab: 32000, contextLength: 4096 };

describe('load guardrail (real node-llama-cpp, real probe)', () => {
  let t: TestHearth;
  beforeAll(async () => {
    t = await startTestHearth();
    writeSparseShapeFixture(join(t.modelsDir, 'llama-2-70b.Q4_K_M.gguf'), llama2_70b);
  });
  afterAll(() => t.close());

  it('loads stories260K with the guardrail on and records what it expected', async () => {
    const status = await t.call('engine.load', { model: 'stories260K.gguf' });
    expect(status.state).toBe('ready');
    // Measuring is covered on a model large enough to measure (measured-load.test.ts); a 1 MB model is noise.
    expect(status.model?.estimatedBytes).toBeGreaterThan(0);
  });

  it('refuses a "70B" with the explanation and what would fit, and keeps serving', async () => {
    const refused = await t.raw('engine.load', { model: 'llama-2-70b.Q4_K_M.gguf' });
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.error.code).toBe('TOO_LARGE');
    expect(refused.error.message).toMatch(/GiB weights \+ .* → too large/);
    expect(refused.error.message).toMatch(/override/);
    const fit = refused.error.details?.fit as FitReport;
    expect(fit.fitClass).toBe('too-large');
    expect(fit.cpu.weightsBytes).toBeGreaterThan(35e9);
    expect(refused.error.details).toHaveProperty('fittingContextSize', null);
    // The model that was loaded before is still there and still answers.
    expect((await t.call('engine.status')).model?.name).toBe('stories260K.gguf');
    const conversation = await t.call('conversations.create', { model: 'stories260K.gguf', settings: { temperature: 0, maxTokens: 8 } });
    const ended = t.nextEvent('chat.end');
    await t.call('chat.send', { conversationId: conversation.id, content: 'Once upon a time' });
    expect((await ended).message.status).toBe('complete');
  });

  it('refuses a truncated file with the reason instead of handing it to llama.cpp', async () => {
    writeFileSync(join(t.modelsDir, 'cut.gguf'), readFileSync(stories260K).subarray(0, 700_000));
    const refused = await t.raw('engine.load', { model: 'cut.gguf' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'MODEL_INVALID', message: expect.stringMatching(/cut\.gguf cannot be used: Truncated/) } });
  });

  it('caps a context beyond what the model was trained on, and says so', async () => {
    await t.call('engine.unload');
    const status = await t.call('engine.load', { model: 'stories260K.gguf', contextSize: 8192 });
    expect(status.model).toMatchObject({ contextSize: 2048, loadNote: "Context capped at the model's trained 2048 tokens (8192 was asked for)." });
  });

  it('what-if: a smaller context changes the estimate of an installed model', async () => {
    const small = await t.call('catalog.estimate', { source: { installed: 'llama-2-70b.Q4_K_M.gguf' }, contextSize: 512 });
    const large = await t.call('catalog.estimate', { source: { installed: 'llama-2-70b.Q4_K_M.gguf' }, contextSize: 4096 });
    expect(large.cpu.kvCacheBytes).toBe(8 * small.cpu.kvCacheBytes);
    expect(large.cpu.weightsBytes).toBe(small.cpu.weightsBytes);
  });
});
