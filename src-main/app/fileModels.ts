import { basename } from 'node:path';
import type { Drafting, EngineStatus } from '../api';
import type { DraftingRequest, InferenceEngine } from '../inference';
import type { LocalModels } from './backends';
import type { LoadRequest } from './loader';

/**
 * One GGUF file given by path (`hearth chat --model F`), loaded as it is: no models folder and no fit
 * guardrail, as llama.cpp's own CLI would. A draft model is a path too.
 */
export class FileModels implements LocalModels {
  constructor(
    private readonly engine: InferenceEngine,
    private readonly path: string,
    private readonly draftPath: string | null = null
  ) {}

  load(request: LoadRequest, wait: boolean): Promise<EngineStatus> {
    return this.engine.load(this.path, basename(this.path), request.contextSize === undefined ? {} : { contextSize: request.contextSize }, wait);
  }

  async resolveDrafting(drafting: Drafting): Promise<DraftingRequest> {
    if (drafting.kind !== 'model') return drafting;
    if (!this.draftPath) throw new Error('A draft model needs its file (--draft-model F).');
    return { kind: 'model', name: basename(this.draftPath), path: this.draftPath };
  }

  settle(): void {}
}
