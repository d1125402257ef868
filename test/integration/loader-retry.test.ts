import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EngineStatus } from '../../src-main/api';
import { ModelLoader } from '../../src-main/app/loader';
import type { HardwareService } from '../../src-main/hardware';
import { History } from '../../src-main/history';
import type { InferenceEngine, LoadOptions } from '../../src-main/inference';
import { hardwareFixtures } from '../fixtures/hardware';
import { shapes, writeSparseShapeFixture } from '../fixtures/shapes';
import { temporaryDir } from '../helpers/paths';

/** An engine whose first load runs out of memory, as a GPU load can when the driver holds more than it said. */
function engineThatRunsOutOfMemoryOnce() {
  const loads: LoadOptions[] = [];
  let status: EngineStatus = { state: 'idle', model: null, error: null, generatingConversationId: null };
  const engine = {
    loads,
    parallelSlots: 0,
    status: () => status,
    async load(path: string, name: string, options: LoadOptions) {
      loads.push(options);
      if (loads.length === 1) throw new Error('InsufficientMemoryError: failed to allocate CUDA buffer of size 1073741824');
      status = {
        state: 'ready',
        error: null,
        generatingConversationId: null,
        model: { name, path, chatTemplate: 'x', isBaseModel: false, thinking: 'none', contextSize: options.contextSize ?? 0, threads: 1, gpu: 'cuda', gpuLayers: options.gpuLayers ?? 0, loadMs: 1, estimatedBytes: options.estimatedBytes ?? null, measuredBytes: 1, loadNote: options.loadNote ?? null }
      };
      return status;
    }
  };
  return engine;
}

describe('a load that runs out of memory anyway', () => {
  const dir = temporaryDir();
  const history = History.open(join(dir.path, 'history.sqlite'));
  afterAll(() => {
    history.close();
    dir.remove();
  });

  it('is retried with fewer GPU layers, and the user is told what changed', async () => {
    writeSparseShapeFixture(join(dir.path, 'qwen3-8b.gguf'), shapes.qwen3_8b);
    const engine = engineThatRunsOutOfMemoryOnce();
    const hardware = { report: async () => hardwareFixtures.nvidia8GB } as unknown as HardwareService;
    const loader = new ModelLoader(engine as unknown as InferenceEngine, hardware, history.measurements, dir.path);
    const status = await loader.load({ model: 'qwen3-8b.gguf', contextSize: 8192 });
    expect(engine.loads).toHaveLength(2);
    expect(engine.loads[0].gpuLayers).toBe(37);
    expect(engine.loads[1].gpuLayers).toBe(18);
    expect(status.model?.loadNote).toMatch(/Ran out of memory at first; loaded with 18 GPU layers and a context of 8192 tokens instead/);
  });

  it('passes any other failure through untouched', async () => {
    const engine = { parallelSlots: 0, status: () => ({ state: 'idle', model: null, error: null, generatingConversationId: null }), load: async () => Promise.reject(new Error('disk read error')) };
    const hardware = { report: async () => hardwareFixtures.nvidia8GB } as unknown as HardwareService;
    const loader = new ModelLoader(engine as unknown as InferenceEngine, hardware, history.measurements, dir.path);
    await expect(loader.load({ model: 'qwen3-8b.gguf' })).rejects.toThrow('disk read error');
  });
});
