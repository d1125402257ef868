import type { ApiServerSettings, ApiServerStatus } from '../api';
import type { History } from '../history';
import type { SecretStore } from './desktop';
import type { OpenAiBackend } from './openai';

/** A running OpenAI-compatible server. */
export interface RunningApiServer {
  /** Where it listens, without /v1, e.g. http://127.0.0.1:1234. */
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the OpenAI-compatible HTTP server (server/openai's `startOpenAiServer`); the shells hand it in,
 * so the application layer never imports a transport.
 */
export type StartOpenAiServer = (options: {
  backend: OpenAiBackend;
  host: string;
  port: number;
  apiKey?: string;
  allowedOrigins: string[];
  maxTokensCap: number;
}) => Promise<RunningApiServer>;

export const apiKeySecret = 'openai-api-key';

/**
 * Starts and stops the OpenAI-compatible API to match its settings (Settings → API server, or
 * `hearth serve --api`). The key lives in the secret store (the OS keychain, or memory until
 * Hearth quits); without one there, HEARTH_API_KEY is used.
 */
export class ApiServerController {
  private server: RunningApiServer | null = null;
  /** What the running server was started with: other changes (storing chats) need no restart. */
  private runningWith: string | null = null;
  private error: string | null = null;
  private change: Promise<unknown> = Promise.resolve();
  /**
   * Settings given on the command line (`hearth serve --api …`): they run the server without being
   * saved, and Settings shows them, until the user changes anything there.
   */
  private commandLine: (Partial<ApiServerSettings> & { apiKey?: string }) | null = null;

  constructor(
    private readonly history: History,
    private readonly backend: OpenAiBackend,
    private readonly secrets: SecretStore,
    /** Absent in one-shot CLI commands, which never serve the API. */
    private readonly start: StartOpenAiServer | null
  ) {}

  status(): ApiServerStatus {
    return {
      settings: this.settings(),
      running: this.server !== null,
      url: this.server ? `${this.server.url}/v1` : null,
      hasKey: this.key() !== null,
      error: this.error,
      startedBy: this.server === null ? null : this.commandLine ? 'command line' : 'settings'
    };
  }

  /**
   * `hearth serve --api`: runs the server with these settings, not saved; the saved ones (and the
   * Settings switch) take over at the user's first change there. Throws what prevents it (port taken).
   */
  async startFromCommandLine(settings: Partial<ApiServerSettings> & { apiKey?: string }): Promise<ApiServerStatus> {
    this.commandLine = { ...settings, enabled: true };
    await this.apply();
    if (this.error) throw new Error(this.error);
    return this.status();
  }

  /** Saves the changes and brings the server in line with them (one change at a time). */
  configure(changes: Partial<ApiServerSettings>, apiKey?: string | null): Promise<ApiServerStatus> {
    const next = this.change.then(async () => {
      if (apiKey !== undefined) this.storeKey(apiKey);
      // The user now decides here: what the command line ran becomes the starting point, saved.
      if (this.commandLine) {
        const { apiKey: _commandLineKey, ...started } = this.commandLine;
        this.history.preferences.setApiServer(started);
        this.commandLine = null;
      }
      this.history.preferences.setApiServer(changes);
      await this.apply();
      return this.status();
    });
    this.change = next.catch(() => undefined);
    return next;
  }

  /** At startup: runs the server if the user left it on. */
  async resume(): Promise<void> {
    if (this.history.preferences.apiServer().enabled) await this.configure({});
  }

  async stop(): Promise<void> {
    await this.server?.close();
    this.server = null;
    this.runningWith = null;
  }

  /** The settings in force: the command line's over the saved ones while it rules. */
  private settings(): ApiServerSettings {
    const { apiKey: _key, ...overlay } = this.commandLine ?? {};
    return { ...this.history.preferences.apiServer(), ...overlay };
  }

  private async apply(): Promise<void> {
    const settings = this.settings();
    const options = { host: settings.host, port: settings.port, apiKey: this.key() ?? undefined, allowedOrigins: settings.allowedOrigins, maxTokensCap: settings.maxTokensCap };
    const wanted = settings.enabled ? JSON.stringify(options) : null;
    if (wanted !== null && wanted === this.runningWith) return;
    await this.stop();
    this.error = null;
    if (wanted === null) return;
    try {
      if (!this.start) throw new Error('This command does not serve the OpenAI API; `hearth serve` and the desktop app do.');
      this.server = await this.start({ backend: this.backend, ...options });
      this.runningWith = wanted;
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    }
  }

  private key(): string | null {
    const stored = this.commandLine?.apiKey ?? this.secrets.get(apiKeySecret);
    return stored ?? process.env.HEARTH_API_KEY ?? null;
  }

  private storeKey(key: string | null): void {
    this.secrets.set(apiKeySecret, key);
  }
}
