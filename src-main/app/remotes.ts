import { ApiError, type RemoteEngine } from '../api';
import type { History, StoredRemoteEngine } from '../history';
import type { Outbound } from '../network';
import { listRemoteModels, type RemoteTarget } from '../remote';
import type { SecretStore } from './desktop';

const keySecret = (id: number) => `remote-engine-${id}`;

/**
 * The remote engines: stored in the history database, their keys in the secret store (the OS keychain,
 * or memory until Hearth quits where there is none). Keys are never logged or returned.
 */
export class RemoteEngines {
  constructor(
    private readonly history: History,
    private readonly outbound: Outbound,
    private readonly secrets: SecretStore
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
    this.secrets.set(keySecret(id), null);
    return { id };
  }

  /** Where to send a chat for one of this engine's models. */
  target(id: number): RemoteTarget {
    const engine = this.history.remotes.get(id);
    return { name: engine.name, baseUrl: engine.baseUrl, apiKey: this.keyOf(id) };
  }

  private storeKey(id: number, key: string): void {
    this.secrets.set(keySecret(id), key);
  }

  private keyOf(id: number): string | null {
    return this.secrets.get(keySecret(id));
  }

  private view(engine: StoredRemoteEngine): RemoteEngine {
    const hasKey = this.keyOf(engine.id) !== null;
    return { ...engine, hasKey, keyStorage: hasKey ? (this.secrets.storage.kind === 'keychain' ? 'secure storage' : 'memory') : null };
  }
}

export function requireRemoteModel(engine: RemoteEngine | StoredRemoteEngine, model: string): void {
  if (!engine.models.includes(model)) throw new ApiError('MODEL_NOT_FOUND', `${engine.name} does not list a model called "${model}"; refresh the engine in Settings → Remote engines.`);
}
