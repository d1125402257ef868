import { describe, expect, it } from 'vitest';
import type { Recommendation } from '../../src-main/api';
import { builtInCatalog, recommend } from '../../src-main/catalog';
import { hardwareFixtures } from '../fixtures/hardware';
import { remoteSuggestionFor } from '../../src-main/app/handlers';

const catalog = builtInCatalog();
const recommendationsFor = (hardware: keyof typeof hardwareFixtures, priority: 'speed' | 'balanced' | 'quality' = 'balanced') =>
  recommend(catalog, hardwareFixtures[hardware], { contextSize: 8192, kvCacheType: 'f16', priority });
const pick = (list: Recommendation[], modelId: string) => {
  const found = list.find((r) => r.modelId === modelId);
  if (!found) throw new Error(`no recommendation for ${modelId}`);
  return { quantization: found.quantization, fitClass: found.fit.fitClass, gpuLayers: found.fit.gpuLayers, explanation: found.fit.explanation };
};

/** "A GiB weights + B GiB context (…) + C GiB buffers = D GiB": the parts must add up to the total. */
function expectExplanationAddsUp(explanation: string) {
  const match = /([\d.]+) GiB weights \+ ([\d.]+) GiB context \([^)]+\) \+ ([\d.]+) GiB buffers = ([\d.]+) GiB/.exec(explanation);
  expect(match, explanation).not.toBeNull();
  const [weights, context, buffers, total] = match!.slice(1).map(Number);
  expect(Math.abs(weights + context + buffers - total)).toBeLessThan(0.051);
}

describe('recommender on hardware fixtures', () => {
  it('every explanation, on every machine, has numbers that add up', () => {
    for (const hardware of Object.keys(hardwareFixtures) as (keyof typeof hardwareFixtures)[]) {
      for (const recommendation of recommendationsFor(hardware)) expectExplanationAddsUp(recommendation.fit.explanation);
    }
  });

  it('CPU-only 8 GB laptop: CPU fits only, small models first, 8B at Q4 refused', () => {
    const list = recommendationsFor('cpuLaptop8GB');
    expect(list.every((r) => r.fit.fitClass === 'cpu' || r.fit.fitClass === 'too-large')).toBe(true);
    expect(list[0].fit.fitClass).toBe('cpu');
    expect(pick(list, 'llama-3.2-3b-instruct')).toMatchObject({ quantization: 'Q5_K_S', fitClass: 'cpu', gpuLayers: 0 });
    expect(pick(list, 'qwen3-8b')).toMatchObject({ quantization: 'Q4_K_M', fitClass: 'too-large' });
    expect(pick(list, 'qwen3-8b').explanation).toMatch(/more than the 4\.5 GiB usable here \(of your 5\.5 GiB free RAM, less a safety reserve\) → too large$/);
    // Q2_K is kept out of the top: it fits, but loses too much quality.
    expect(list.findIndex((r) => r.quantization === 'Q2_K')).toBeGreaterThan(list.findIndex((r) => r.modelId === 'gemma-3-1b-it'));
  });

  it('8 GB NVIDIA card: 8B models fully on the GPU at the best quantization that fits, 14B partially', () => {
    const list = recommendationsFor('nvidia8GB');
    expect(pick(list, 'qwen3-8b')).toMatchObject({ quantization: 'Q4_K_M', fitClass: 'full-gpu', gpuLayers: 37 });
    expect(pick(list, 'llama-3.1-8b-instruct')).toMatchObject({ quantization: 'Q5_K_M', fitClass: 'full-gpu' });
    const qwen14 = pick(list, 'qwen3-14b');
    expect(qwen14).toMatchObject({ quantization: 'Q4_K_M', fitClass: 'partial' });
    expect(qwen14.gpuLayers).toBeGreaterThan(20);
    expect(qwen14.gpuLayers).toBeLessThan(41);
    expect(qwen14.explanation).toMatch(/: \d+ of 41 layers \([\d.]+ GiB\) in your 7\.6 GiB free VRAM, [\d.]+ GiB in RAM → partial offload, ≈ [\d.]+ tok\/s/);
    expect(list[0].fit.fitClass).toBe('full-gpu');
  });

  it('24 GB NVIDIA card: 27B and the MoE model fully on the GPU', () => {
    const list = recommendationsFor('nvidia24GB');
    expect(pick(list, 'gemma-3-27b-it')).toMatchObject({ quantization: 'Q5_K_M', fitClass: 'full-gpu' });
    expect(pick(list, 'qwen3-30b-a3b')).toMatchObject({ quantization: 'Q5_K_M', fitClass: 'full-gpu' });
    expect(pick(list, 'llama-2-7b-chat')).toMatchObject({ quantization: 'F16', fitClass: 'full-gpu' });
  });

  it('Apple M2 with 16 GB unified memory: one pool, never RAM on top of it', () => {
    const list = recommendationsFor('appleM2_16GB');
    expect(pick(list, 'llama-3.1-8b-instruct')).toMatchObject({ quantization: 'Q6_K', fitClass: 'full-gpu' });
    expect(pick(list, 'qwen3-14b')).toMatchObject({ fitClass: 'too-large' });
    expect(pick(list, 'qwen3-8b').explanation).toMatch(/of your 10\.5 GiB free unified memory → full GPU offload/);
    expect(list.every((r) => r.fit.unifiedMemory)).toBe(true);
  });

  it('two GPUs: their VRAM together holds a 27B model, with buffers on each', () => {
    const list = recommendationsFor('twoGpus');
    const gemma = list.find((r) => r.modelId === 'gemma-3-27b-it')!;
    expect(gemma).toMatchObject({ quantization: 'Q5_K_M', fit: { fitClass: 'full-gpu' } });
    // One card alone (11.5 GiB free) would hold only part of it.
    expect(gemma.fit.gpu.totalBytes).toBeGreaterThan(11.5 * 1024 ** 3);
    expect(gemma.fit.gpu.runtimeBytes).toBe(2 * 300 * 1024 * 1024);
  });

  it('integrated GPU sharing system RAM: its memory is counted once', () => {
    const list = recommendationsFor('integratedShared');
    expect(pick(list, 'qwen3-8b')).toMatchObject({ quantization: 'Q4_K_M', fitClass: 'full-gpu' });
    // 10 GiB of RAM is "available", but it is the same memory the GPU shares: a 14B model does not fit.
    expect(pick(list, 'qwen3-14b')).toMatchObject({ fitClass: 'too-large' });
    expect(pick(list, 'qwen3-8b').explanation).toMatch(/speed unknown/);
  });

  it('prefers speed or quality as asked', () => {
    const speed = recommendationsFor('nvidia24GB', 'speed');
    const speeds = speed.filter((r) => r.fit.fitClass === 'full-gpu').map((r) => r.fit.decodeTokensPerSecond ?? 0);
    expect(speeds).toEqual([...speeds].sort((a, b) => b - a));
    const quality = recommendationsFor('nvidia24GB', 'quality');
    expect(quality[0].parameters).toBeGreaterThanOrEqual(24e9);
  });

  it('notes the quality cost of each pick from llama.cpp’s measurements', () => {
    const list = recommendationsFor('nvidia8GB');
    expect(list.find((r) => r.quantization === 'Q4_K_M')!.qualityNote).toMatch(/^Q4_K_M: \+[\d.]+ perplexity over F16 \(/);
  });
});

describe('memory calculator', () => {
  it('multiplies parameters by bytes per weight for each precision', async () => {
    const { calculateMemory } = await import('../../src-main/catalog');
    const laptop = hardwareFixtures.cpuLaptop8GB;
    expect(calculateMemory({ parameters: 7e9, precision: 'fp32', contextSize: 4096 }, laptop).weightsBytes).toBe(28e9);
    expect(calculateMemory({ parameters: 7e9, precision: 'fp16', contextSize: 4096 }, laptop).weightsBytes).toBe(14e9);
    expect(calculateMemory({ parameters: 7e9, precision: 'bf16', contextSize: 4096 }, laptop).weightsBytes).toBe(14e9);
    expect(calculateMemory({ parameters: 7e9, precision: 'int8', contextSize: 4096 }, laptop).weightsBytes).toBe(7e9 * 1.0625);
    const int4 = calculateMemory({ parameters: 7e9, precision: 'int4', contextSize: 4096 }, laptop);
    expect(int4.weightsBytes).toBe(7e9 * 0.5625);
    expect(int4).toMatchObject({ kvCacheBytes: null, fit: null });
  });

  it('adds the KV cache, buffers and the fit when the architecture is given', async () => {
    const { calculateMemory } = await import('../../src-main/catalog');
    const result = calculateMemory(
      { parameters: 6.74e9, precision: 'int4', contextSize: 4096, architecture: { layers: 32, embedding: 4096, kvHeads: 32, headDim: 128, vocab: 32000 } },
      hardwareFixtures.nvidia8GB
    );
    expect(result.kvCacheBytes).toBe(2 * 32 * 4096 * 32 * 128 * 2);
    expect(result.fit?.fitClass).toBe('full-gpu');
    expectExplanationAddsUp(result.fit!.explanation);
  });
});

describe('when nothing fits', () => {
  it('points to a remote engine, and only then', () => {
    const catalog = builtInCatalog();
    const tiny = { ...hardwareFixtures.cpuLaptop8GB, memory: { ...hardwareFixtures.cpuLaptop8GB.memory, totalBytes: 256 * 1024 ** 2, availableBytes: 128 * 1024 ** 2 } };
    const nothing = recommend(catalog, tiny, { contextSize: 8192, kvCacheType: 'f16', priority: 'balanced' });
    expect(nothing.every((recommendation) => recommendation.fit.fitClass === 'too-large')).toBe(true);
    expect(remoteSuggestionFor(nothing)).toMatch(/Settings → Remote engines/);
    const plenty = recommend(catalog, hardwareFixtures.cpuLaptop8GB, { contextSize: 8192, kvCacheType: 'f16', priority: 'balanced' });
    expect(remoteSuggestionFor(plenty)).toBeNull();
  });
});
