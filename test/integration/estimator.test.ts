import { getLlama, GgufInsights, LlamaLogLevel, readGgufFileInfo, type Llama } from 'node-llama-cpp';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtInCatalog, bytesPerGeneratedToken, cpuRepackTypes, fitModel, geometryFromCatalog, geometryFromGguf, shapeKey, kvCacheBytesPerLayer, memoryNeeds, splitAt, type ModelGeometry } from '../../src-main/catalog';
import { tensorBytes } from '../../src-main/catalog';
import { shapes, shapeTensors, writeShapeFixture, type ModelShape } from '../fixtures/shapes';
import { temporaryDir } from '../helpers/paths';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

describe('fit estimator on header-only GGUF files with real model shapes', () => {
  const dir = temporaryDir();
  let llama: Llama;
  const fixtures = new Map<string, { geometry: ModelGeometry; path: string; weightBytes: number; shape: ModelShape }>();

  beforeAll(async () => {
    llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
    for (const [key, shape] of Object.entries(shapes)) {
      const path = join(dir.path, `${key}.gguf`);
      const tensors = writeShapeFixture(path, shape);
      const geometry = geometryFromGguf(await readGgufFileInfo(path));
      fixtures.set(key, { geometry, path, weightBytes: sum(tensors.map(tensorBytes)), shape });
    }
  });
  afterAll(async () => {
    await llama.dispose();
    dir.remove();
  });

  it('a file with a catalog model\'s shapes has that model\'s shape key, so a speed measured on it stands for the catalog file', () => {
    const catalog = builtInCatalog();
    const pairs = { llama32_1b: 'llama-3.2-1b-instruct', llama31_8b: 'llama-3.1-8b-instruct', qwen3_8b: 'qwen3-8b', gemma3_4b: 'gemma-3-4b-it', qwen3_30b_a3b: 'qwen3-30b-a3b' };
    for (const [key, id] of Object.entries(pairs)) {
      const model = catalog.models.find((entry) => entry.id === id)!;
      expect(shapeKey(fixtures.get(key)!.geometry), id).toBe(shapeKey(geometryFromCatalog(catalog, model, model.files[0])));
    }
    expect(shapeKey(fixtures.get('llama32_1b')!.geometry)).not.toBe(shapeKey(fixtures.get('llama31_8b')!.geometry));
  });

  it('counts the bytes one generated token reads: a tied head reads the embedding, an untied one its own matrix, an MoE only its used experts, a window layer only its window', () => {
    const tensorsOf = (key: keyof typeof shapes) => shapeTensors(shapes[key], 'Q4_K_M');
    const bytesWhere = (key: keyof typeof shapes, keep: (name: string) => boolean) => sum(tensorsOf(key).filter((t) => keep(t.name)).map(tensorBytes));
    // Tied (Llama 3.2 1B): every layer and the embedding as the head: the whole file (769 MB in this fixture's mix).
    const tied = fixtures.get('llama32_1b')!;
    expect(bytesPerGeneratedToken(tied.geometry, 0)).toBe(tied.weightBytes);
    expect(tied.weightBytes).toBeGreaterThan(700e6);
    // Untied (Llama 3.1 8B): the embedding lookup reads one row, the output matrix all of it.
    const untied = fixtures.get('llama31_8b')!;
    expect(bytesPerGeneratedToken(untied.geometry, 0)).toBe(untied.weightBytes - untied.geometry.inputWeightBytes);
    // MoE (Qwen3 30B-A3B): 8 of 128 experts per token.
    const moe = fixtures.get('qwen3_30b_a3b')!;
    const experts = bytesWhere('qwen3_30b_a3b', (name) => name.includes('_exps.'));
    const expected = moe.weightBytes - moe.geometry.inputWeightBytes - experts + (experts * 8) / 128;
    expect(bytesPerGeneratedToken(moe.geometry, 0) / expected).toBeCloseTo(1, 9);
    expect(bytesPerGeneratedToken(moe.geometry, 0)).toBeLessThan(moe.weightBytes * 0.15);
    // KV cache: 2 bytes × (K + V) per head per token; Gemma 3's window layers stop at 1024 tokens.
    const llama = untied.geometry;
    expect(bytesPerGeneratedToken(llama, 8192) - bytesPerGeneratedToken(llama, 0)).toBe(8192 * 32 * 8 * 256 * 2);
    const gemma = fixtures.get('gemma3_4b')!.geometry;
    const globalLayers = Array.from({ length: gemma.layers }, (_, layer) => layer).filter((layer) => layer % 6 === 5).length;
    expect(bytesPerGeneratedToken(gemma, 8192) - bytesPerGeneratedToken(gemma, 0)).toBe((globalLayers * 8192 + (gemma.layers - globalLayers) * 1024) * 4 * 512 * 2);
  });

  it('reads the weights to the byte from the tensor table, split into input, layers and output', () => {
    for (const [key, { geometry, weightBytes, shape }] of fixtures) {
      const total = geometry.inputWeightBytes + sum(geometry.layerWeightBytes) + geometry.outputWeightBytes;
      expect({ key, total }).toEqual({ key, total: weightBytes });
      expect(geometry.layerWeightBytes).toHaveLength(shape.layers);
      expect(geometry.weightsExact).toBe(true);
    }
    const llama2 = fixtures.get('llama2_7b')!.geometry;
    expect(llama2.inputWeightBytes).toBe((4096 * 32000 * 144) / 256);
    expect(llama2).toMatchObject({ layers: 32, heads: 32, kvHeads: 32, keyLength: 128, vocab: 32000, contextLength: 4096, slidingWindow: null });
    expect(fixtures.get('qwen3_30b_a3b')!.geometry).toMatchObject({ experts: 128, expertsUsed: 8 });
  });

  it('computes the KV cache exactly: 2 × layers × context × KV heads × head size × bytes', () => {
    const llama2 = fixtures.get('llama2_7b')!.geometry;
    expect(sum(kvCacheBytesPerLayer(llama2, { contextSize: 4096 }))).toBe(2 * 32 * 4096 * 32 * 128 * 2);
    expect(sum(kvCacheBytesPerLayer(llama2, { contextSize: 4096, kvCacheType: 'q8_0' }))).toBe((2 * 32 * 4096 * 32 * 128 * 34) / 32);
    const llama31 = fixtures.get('llama31_8b')!.geometry;
    expect(sum(kvCacheBytesPerLayer(llama31, { contextSize: 8192 }))).toBe(2 * 32 * 8192 * 8 * 128 * 2);
    // A context is padded up to 256 cells, as llama.cpp does.
    expect(sum(kvCacheBytesPerLayer(llama31, { contextSize: 1000 }))).toBe(2 * 32 * 1024 * 8 * 128 * 2);
  });

  it('counts the copies the CPU backend repacks: Q4_K matrices with AVX2 (a tied embedding too, when it is the head), none for Q8_0 or without AVX2', () => {
    const avx2 = cpuRepackTypes({ avx2: true, avx512: false, neon: false });
    expect([...avx2].sort()).toEqual(['Q4_0', 'Q4_K']);
    expect([...cpuRepackTypes({ avx2: false, avx512: false, neon: true })].sort()).toEqual(['IQ4_NL', 'Q4_0']);
    const layerQ4K = (shape: ModelShape, layer: number) =>
      shapeTensors(shape, 'Q4_K_M')
        .filter((tensor) => tensor.name.startsWith(`blk.${layer}.`) && tensor.type === 'Q4_K')
        .reduce((total, tensor) => total + tensorBytes(tensor), 0);
    // Untied: every layer's Q4_K matrices; the head (Q6_K) and the embedding are not repacked.
    const llama31 = memoryNeeds(fixtures.get('llama31_8b')!.geometry, { contextSize: 2048, repackTypes: avx2 });
    expect(llama31.layerRepack[0]).toBe(layerQ4K(shapes.llama31_8b, 0));
    expect(llama31.headRepack).toBe(0);
    // Tied (Llama 3.2 1B, Gemma 3): the Q4_K embedding is the head's matrix, so it is repacked when the head runs on the CPU.
    const tied = memoryNeeds(fixtures.get('llama32_1b')!.geometry, { contextSize: 2048, repackTypes: avx2 });
    expect(tied.headRepack).toBe(fixtures.get('llama32_1b')!.geometry.inputWeightBytes);
    // A copy replaces its original in the working set: the weights are needed once, the copies show on top in RSS.
    expect(splitAt(tied, 0).cpu).toMatchObject({ weights: fixtures.get('llama32_1b')!.weightBytes, repack: sum(tied.layerRepack) + tied.headRepack });
    expect(splitAt(tied, 0).cpu.total).toBe(splitAt(memoryNeeds(fixtures.get('llama32_1b')!.geometry, { contextSize: 2048 }), 0).cpu.total);
    // With every layer and the head on the GPU, nothing is repacked.
    expect(splitAt(tied, 17).cpu).toMatchObject({ weights: fixtures.get('llama32_1b')!.geometry.inputWeightBytes, repack: 0 });
    // MoE experts are matrices (3-D) too.
    const moe = memoryNeeds(fixtures.get('qwen3_30b_a3b')!.geometry, { contextSize: 2048, repackTypes: avx2 });
    expect(moe.layerRepack[0]).toBeGreaterThan(fixtures.get('qwen3_30b_a3b')!.geometry.layerWeightBytes[0] * 0.5);
    expect(sum(memoryNeeds(fixtures.get('llama31_8b')!.geometry, { contextSize: 2048 }).layerRepack)).toBe(0);
  });

  it('counts the CPU compute buffer a batch touches, not the whole-batch logits a GPU reserves', () => {
    const gemma = memoryNeeds(fixtures.get('gemma3_4b')!.geometry, { contextSize: 8192 });
    // 262,208 tokens × 512 × 4 bytes of logits are reserved on a GPU; a chat asks for one token's on the CPU.
    expect(gemma.compute).toBeGreaterThan(512 * MiB);
    expect(gemma.cpuCompute).toBeLessThan(100 * MiB);
    expect(gemma.cpuCompute).toBe(512 * 4 * (2 * 10240 + 4 * 2560) + 262208 * 4);
  });

  it('honours Gemma 3 sliding windows: 5 of every 6 layers keep only window + batch cells', () => {
    const gemma = fixtures.get('gemma3_4b')!.geometry;
    expect(gemma).toMatchObject({ slidingWindow: 1024, slidingWindowPattern: 6 });
    const perCell = 4 * 256 * 2 * 2;
    const globalLayers = 5;
    const localLayers = 34 - globalLayers;
    expect(sum(kvCacheBytesPerLayer(gemma, { contextSize: 32768 }))).toBe(globalLayers * 32768 * perCell + localLayers * 1536 * perCell);
  });

  // node-llama-cpp's dry run counts what llama.cpp reserves. Hearth counts the same reservation for weights,
  // KV cache and a GPU's compute buffer, but on the CPU what is touched and what the CPU backend copies
  // (estimator.ts; checked against real loads in measured-load.test.ts).
  it('agrees with node-llama-cpp’s dry run on what llama.cpp reserves on the CPU path, within 10%', async () => {
    for (const [key, { geometry, path }] of fixtures) {
      const insights = await GgufInsights.from(await readGgufFileInfo(path), llama);
      for (const contextSize of [2048, 8192]) {
        const model = await insights.estimateModelResourceRequirementsV2({ gpuLayers: 0 });
        const context = await insights.estimateContextResourceRequirementsV2({ contextSize, modelGpuLayers: 0, sequences: 1 });
        const dryRun = model.cpuRam + context.cpuRam;
        const needs = memoryNeeds(geometry, { contextSize });
        const { cpu } = splitAt(needs, 0);
        const ours = cpu.weights + cpu.kvCache + needs.compute;
        const ratio = ours / dryRun;
        expect({ key, contextSize, withinTenPercent: ratio > 0.9 && ratio < 1.1, ratio }).toMatchObject({ key, contextSize, withinTenPercent: true });
      }
    }
  }, 120_000);

  it('classifies a fit by the devices: full GPU, partial, CPU, too large', () => {
    const needs = memoryNeeds(fixtures.get('llama31_8b')!.geometry, { contextSize: 8192 });
    expect(fitModel(needs, { gpuFreeBytes: 24 * GiB, ramFreeBytes: 32 * GiB, unified: false }).fitClass).toBe('full-gpu');
    const partial = fitModel(needs, { gpuFreeBytes: 4 * GiB, ramFreeBytes: 32 * GiB, unified: false });
    expect(partial.fitClass).toBe('partial');
    expect(partial.split.gpuLayers).toBeGreaterThan(0);
    expect(partial.split.gpuLayers).toBeLessThan(33);
    expect(partial.split.gpu.total).toBeLessThanOrEqual(partial.gpuBudgetBytes);
    expect(fitModel(needs, { gpuFreeBytes: 0, ramFreeBytes: 16 * GiB, unified: false }).fitClass).toBe('cpu');
    expect(fitModel(needs, { gpuFreeBytes: 0, ramFreeBytes: 4 * GiB, unified: false }).fitClass).toBe('too-large');
    expect(fitModel(needs, { gpuFreeBytes: 12 * GiB, ramFreeBytes: 12 * GiB, unified: true }).fitClass).toBe('full-gpu');
    expect(fitModel(needs, { gpuFreeBytes: 5 * GiB, ramFreeBytes: 5 * GiB, unified: true }).fitClass).toBe('too-large');
  });
});
