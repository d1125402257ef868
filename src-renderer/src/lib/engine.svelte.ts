import type { EngineStatus, ModelFile } from '$api/contract';
import type { HearthApi } from './api';
import type { ErrorState } from './errors.svelte';

/** The inference engine's state (mirrors `engine.status` events) and the models folder's contents. */
export class EngineState {
  status = $state<EngineStatus>({ state: 'idle', model: null, error: null, generatingConversationId: null });
  models = $state<ModelFile[]>([]);
  /** The model being loaded by this window, until `engine.load` answers. */
  loadingName = $state<string | null>(null);

  loadedName = $derived(this.status.state === 'ready' ? (this.status.model?.name ?? null) : null);

  constructor(
    private readonly api: HearthApi,
    private readonly errors: ErrorState
  ) {}

  async refresh(): Promise<void> {
    const [models, status] = await Promise.allSettled([this.api.call('models.list', {}), this.api.call('engine.status', {})]);
    if (models.status === 'fulfilled') this.models = models.value;
    else this.errors.report(models.reason, 'Could not list the models');
    if (status.status === 'fulfilled') this.status = status.value;
    else this.errors.report(status.reason, 'Could not read the engine status');
  }

  async load(name: string): Promise<boolean> {
    try {
      await this.loadModel(name);
      return true;
    } catch (error) {
      this.errors.report(error, `Could not load ${name}`);
      return false;
    }
  }

  /** Loads with explicit settings and throws what fails, for callers that show failures themselves. */
  async loadModel(name: string, options: { contextSize?: number; gpuLayers?: number; force?: boolean } = {}): Promise<void> {
    this.loadingName = name;
    try {
      this.status = await this.api.call('engine.load', { model: name, ...options });
    } finally {
      this.loadingName = null;
    }
  }
}
