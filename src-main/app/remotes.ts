import { ApiError, type RemoteEngine } from '../api';
import type { History, StoredRemoteEngine } from '../history';
import type { Outbound } from '../network';
import { listRemoteModels, type RemoteTarget } from '../remote';
import type { DesktopCapabilities } from './desktop';

const keySecret = (id: number) => `remote-engine-${id}`;

/**
 * The remote engines: stored in the history database, their keys in the OS keychain (desktop) or, in
 * browser mode, only in memory until Hearth restarts. Keys are never logged or returned.
 */
export class RemoteEngines {
  private readonly memoryKeys = new Map<number, string>();

  constructor(
    private readonly history: History,
    private readonly outbound: Outbound,
    private readonly desktop: DesktopCapabilities | null
  ) {}

  list(): RemoteEngine[] {
    return this.history.remotes.list().map((engine) => this.view(engine));
  }

  async add(name: string, baseUrl: string, apiKey: string | undefined): Promise<RemoteEngine> {
    const models = await listRemoteModels(this.outbound, { name, baseUrl, apiKey: apiKey ?? null });
    const engine = this.history.remotes.add(name, baseUrl, models);
    if (apiKey) this.storeKey(engine.id, apiKey);
    return this.view(engine);
  }

  async refresh(id: number): Promise<RemoteEngine> {
    const target = this.target(id);
    try {
      return this.view(this.history.remotes.update(id, await listRemoteModels(this.outbound, target), null));
    } catch (error) {
      this.history.remotes.update(id, null, error instanceof Error ? error.message : String(error));
      throw error;
    }
  }

  remove(id: number): { id: number } {
    this.history.remotes.remove(id);
    this.memoryKeys.delete(id);
    if (this.desktop?.secrets.available) this.desktop.secrets.set(keySecret(id), null);
    return { id };
  }

  /** Where to send a chat for one of this engine's models. */
  target(id: number): RemoteTarget {
    const engine = this.history.remotes.get(id);
    return { name: engine.name, baseUrl: engine.baseUrl, apiKey: this.keyOf(id) };
  }

  private storeKey(id: number, key: string): void {
    if (this.desktop?.secrets.available) this.desktop.secrets.set(keySecret(id), key);
    else this.memoryKeys.set(id, key);
  }

  private keyOf(id: number): string | null {
    if (this.desktop?.secrets.available) return this.desktop.secrets.get(keySecret(id));
    return this.memoryKeys.get(id) ?? null;
  }

  private view(engine: StoredRemoteEngine): RemoteEngine {
    const hasKey = this.keyOf(engine.id) !== null;
    return { ...engine, hasKey, keyStorage: hasKey ? (this.desktop?.secrets.available ? 'secure storage' : 'memory') : null };
  }
}

export function requireRemoteModel(engine: RemoteEngine | StoredRemoteEngine, model: string): void {
  if (!engine.models.includes(model)) throw new ApiError('MODEL_NOT_FOUND', `${engine.name} does not list a model called "${model}"; refresh the engine in Settings → Remote engines.`);
}
