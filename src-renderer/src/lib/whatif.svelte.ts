import type { FitReport, KvCacheTypeName } from '$api/contract';
import { ApiClientError, type HearthApi } from './api';
import { debouncer } from './debounce';

/** One catalog model's what-if: a quantization and a GPU layer count, estimated by `catalog.estimate`. */
export class ModelWhatIf {
  quantization = $state('');
  /** Null: let the estimator choose (as many layers as fit). */
  gpuLayers = $state<number | null>(null);
  report = $state<FitReport | null>(null);
  problem = $state<string | null>(null);
  pending = $state(false);

  private seq = 0;
  private readonly debounce = debouncer(150);

  constructor(
    private readonly api: HearthApi,
    readonly modelId: string,
    quantization: string
  ) {
    this.quantization = quantization;
  }

  /** Estimates again shortly after the last change (called whenever an input changes). */
  schedule(contextSize: number, kvCacheType: KvCacheTypeName): void {
    this.pending = true;
    const quantization = this.quantization;
    const gpuLayers = this.gpuLayers;
    this.debounce.schedule(() => void this.estimate(quantization, gpuLayers, contextSize, kvCacheType));
  }

  dispose(): void {
    this.debounce.cancel();
    this.seq++;
  }

  private async estimate(quantization: string, gpuLayers: number | null, contextSize: number, kvCacheType: KvCacheTypeName): Promise<void> {
    const seq = ++this.seq;
    const validLayers = gpuLayers !== null && Number.isInteger(gpuLayers) && gpuLayers >= 0 && gpuLayers <= 1000;
    try {
      const report = await this.api.call('catalog.estimate', {
        source: { modelId: this.modelId, quantization },
        contextSize,
        kvCacheType,
        ...(validLayers ? { gpuLayers } : {})
      });
      if (seq !== this.seq) return;
      this.report = report;
      this.problem = null;
    } catch (error) {
      if (seq === this.seq) this.problem = ApiClientError.from(error).message;
    } finally {
      if (seq === this.seq) this.pending = false;
    }
  }
}
