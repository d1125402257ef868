import type { ApiServerStatus, OutboundRecord, RemoteEngine } from '$api/contract';
import { ApiClientError, type HearthApi } from './api';
import type { ErrorState } from './errors.svelte';
import { apiServerForm, describeApiServerIssue, mergeOutbound, readApiServerForm, type ApiServerFields, type ApiServerForm } from './networking';
import { Task } from './task.svelte';
import type { ToastState } from './toast.svelte';
import type { UpdatesState } from './updates.svelte';

function describeFailure(error: unknown): string[] {
  const failure = ApiClientError.from(error);
  return failure.issues?.length ? failure.issues.map(describeApiServerIssue) : [failure.message];
}

/** Settings → API server: its status as the server reports it, and the form's working copy. */
export class ApiServerState {
  status = $state.raw<ApiServerStatus | null>(null);
  form = $state<ApiServerForm | null>(null);
  /** Saving the form (and with it switching the server on or off); its problems are a list, one per field. */
  readonly saving = new Task(describeFailure);
  readonly settingKey = new Task((error) => describeFailure(error).join(' '));

  changed = $derived(this.form !== null && this.status !== null && JSON.stringify(this.form) !== JSON.stringify(apiServerForm(this.status.settings)));

  constructor(
    private readonly api: HearthApi,
    private readonly errors: ErrorState,
    private readonly toast: ToastState
  ) {}

  async load(): Promise<void> {
    try {
      this.show(await this.api.call('apiServer.status', {}));
    } catch (error) {
      this.errors.report(error, 'Could not read the API server settings');
    }
  }

  /** Saves the form; the server starts, restarts or stops to match. */
  save(): Promise<void> {
    return this.apply({});
  }

  /** The switch: saves the form too, so what runs is what the form shows. */
  setEnabled(enabled: boolean): Promise<void> {
    return this.apply({ enabled });
  }

  revert(): void {
    if (this.status) this.show(this.status);
  }

  /** Sets (or with null removes) the key; true when it was accepted. */
  setKey(apiKey: string | null): Promise<boolean> {
    return this.settingKey.run(async () => {
      this.status = await this.api.call('apiServer.configure', { settings: {}, apiKey });
      this.toast.show(apiKey === null ? 'API key removed.' : 'API key set.');
    });
  }

  private async apply(extra: { enabled?: boolean }): Promise<void> {
    if (!this.form) return;
    const read = readApiServerForm($state.snapshot(this.form));
    if ('problems' in read) {
      this.saving.problem = read.problems;
      return;
    }
    const settings: Partial<ApiServerFields & { enabled: boolean }> = { ...read.settings, ...extra };
    await this.saving.run(async () => this.show(await this.api.call('apiServer.configure', { settings })));
  }

  private show(status: ApiServerStatus): void {
    this.status = status;
    this.form = apiServerForm(status.settings);
    this.saving.problem = null;
  }
}

/** Settings → Remote engines; the model picker offers their models too. */
export class RemotesState {
  engines = $state.raw<RemoteEngine[]>([]);
  /** Adding an engine; it fails when the server cannot list its models with the URL and key given. */
  readonly adding = new Task();
  /** Engines being asked for their models again. */
  refreshing = $state<number[]>([]);

  constructor(
    private readonly api: HearthApi,
    private readonly errors: ErrorState
  ) {}

  async load(): Promise<void> {
    try {
      this.engines = await this.api.call('remotes.list', {});
    } catch (error) {
      this.errors.report(error, 'Could not list the remote engines');
    }
  }

  add(name: string, baseUrl: string, apiKey: string): Promise<boolean> {
    return this.adding.run(async () => {
      const engine = await this.api.call('remotes.add', { name, baseUrl, ...(apiKey ? { apiKey } : {}) });
      this.engines = [...this.engines, engine];
    });
  }

  /** Lists the engine's models again; a failure is stored on the engine, so the list shows it. */
  async refresh(id: number): Promise<void> {
    this.refreshing = [...this.refreshing, id];
    try {
      const engine = await this.api.call('remotes.refresh', { id });
      this.engines = this.engines.map((known) => (known.id === id ? engine : known));
    } catch {
      await this.load();
    } finally {
      this.refreshing = this.refreshing.filter((known) => known !== id);
    }
  }

  /** For the confirmation: null when removed, else why not. */
  async remove(id: number): Promise<string | null> {
    try {
      await this.api.call('remotes.remove', { id });
      this.engines = this.engines.filter((engine) => engine.id !== id);
      return null;
    } catch (error) {
      return ApiClientError.from(error).message;
    }
  }
}

/** Settings → Network: offline mode, and every request Hearth made beyond this machine (newest first). */
export class NetworkState {
  offline = $state<boolean | null>(null);
  log = $state.raw<OutboundRecord[]>([]);
  /** Switching offline mode on or off. */
  readonly switching = new Task();

  constructor(
    private readonly api: HearthApi,
    private readonly errors: ErrorState
  ) {}

  async load(): Promise<void> {
    const [settings, log] = await Promise.allSettled([this.api.call('settings.network', {}), this.api.call('network.log', {})]);
    if (settings.status === 'fulfilled') this.offline = settings.value.offline;
    else this.errors.report(settings.reason, 'Could not read the network settings');
    // Records that arrived as events while the log was read are kept.
    if (log.status === 'fulfilled') this.log = mergeOutbound(log.value, this.log);
    else this.errors.report(log.reason, 'Could not read the outbound requests');
  }

  add(record: OutboundRecord): void {
    this.log = mergeOutbound(this.log, [record]);
  }

  async setOffline(offline: boolean): Promise<void> {
    await this.switching.run(async () => {
      this.offline = (await this.api.call('settings.setNetwork', { offline })).offline;
    });
  }
}

/** Settings → History: whether search covers reasoning models' thoughts. */
export class HistorySettingsState {
  searchThoughts = $state<boolean | null>(null);
  readonly switching = new Task();

  constructor(
    private readonly api: HearthApi,
    private readonly errors: ErrorState
  ) {}

  async load(): Promise<void> {
    try {
      this.searchThoughts = (await this.api.call('settings.history', {})).searchThoughts;
    } catch (error) {
      this.errors.report(error, 'Could not read the history settings');
    }
  }

  async setSearchThoughts(searchThoughts: boolean): Promise<void> {
    await this.switching.run(async () => {
      this.searchThoughts = (await this.api.call('settings.setHistory', { settings: { searchThoughts } })).searchThoughts;
    });
  }
}

/** The stores of the Settings view. */
export interface AppSettingsStores {
  apiServer: ApiServerState;
  remotes: RemotesState;
  network: NetworkState;
  history: HistorySettingsState;
  updates: UpdatesState;
}

/** What the open Settings view keeps going: the outbound log and the update status, live. Returns what stops it when the view closes. */
export function openAppSettings(api: HearthApi, { apiServer, remotes, network, history, updates }: AppSettingsStores): () => void {
  const unsubscribe = [api.on('network.request', (record) => network.add(record)), api.on('updates.changed', (status) => updates.show(status))];
  void apiServer.load();
  void remotes.load();
  void network.load();
  void history.load();
  void updates.load();
  return () => unsubscribe.forEach((stop) => stop());
}
