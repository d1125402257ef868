import type { Token } from 'node-llama-cpp';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineStatus } from '../../src-main/api';
import { writeGguf } from '../../src-main/models';
import { shapeMetadata, shapeTensors, type ModelShape } from '../fixtures/shapes';
import { startTestHearth, type TestHearth } from '../helpers/hearth';

/** Small enough to load here, large enough that its memory is measurable: ~300 MB of F16 weights. */
const midSized: ModelShape = { name: 'Mid', architecture: 'llama', layers: 8, embedding: 1024, feedForward: 2816, heads: 16, kvHeads: 4, headDim: 64, vocab: 32000, contextLength: 4096 };

// Its own file, so its process has loaded nothing before: memory freed by earlier loads would hide part of this one.
describe('estimate against a real load (real node-llama-cpp, process memory)', () => {
  let t: TestHearth;
  beforeAll(async () => {
    t = await startTestHearth();
    writeGguf(join(t.modelsDir, 'mid-f16.gguf'), { metadata: shapeMetadata(midSized, 'F16'), tensors: shapeTensors(midSized, 'F16') });
  });
  afterAll(() => t.close());

  it('measures a real load within 10% of the estimate, and corrects later estimates on this device', async () => {
    const before = await t.call('catalog.estimate', { source: { installed: 'mid-f16.gguf' }, contextSize: 4096 });
    const loaded = await t.call('engine.load', { name: 'mid-f16.gguf', contextSize: 4096 });
    // A full batch uses the compute buffers, as any real prompt would.
    await t.hearth.engine.run(null, (session) => session.sequence.evaluateWithoutGeneratingNewTokens(Array.from({ length: 600 }, (_, i) => (300 + i) as Token)));
    const status: EngineStatus = await t.call('engine.status');
    const { estimatedBytes, measuredBytes } = status.model!;
    expect(estimatedBytes).toBe(loaded.model!.estimatedBytes);
    const ratio = measuredBytes / estimatedBytes!;
    expect(ratio).toBeGreaterThan(0.9);
    expect(ratio).toBeLessThan(1.1);

    t.hearth.loader.settle();
    const after = await t.call('catalog.estimate', { source: { installed: 'mid-f16.gguf' }, contextSize: 4096 });
    expect(before.correction).toBeNull();
    expect(after.correction?.samples).toBeGreaterThanOrEqual(1);
    const corrected = after.cpu.totalBytes / before.cpu.totalBytes;
    expect(corrected).toBeCloseTo(after.correction!.factor, 5);
  });
});
