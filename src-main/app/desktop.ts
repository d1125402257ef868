/**
 * What only the desktop app can do, handed to the services by the Electron shell; browser mode and
 * the CLI run without it, and the methods that need it say so.
 */
import type { SecretStorage } from '../api';

/**
 * API keys and tokens by name. `storage` says whether they survive a restart (the OS keychain) or
 * live in memory for this session only; `set(name, null)` forgets one. Never throws.
 */
export interface SecretStore {
  readonly storage: SecretStorage;
  get(name: string): string | null;
  set(name: string, value: string | null): void;
}

export interface DesktopCapabilities {
  secrets: SecretStore;
  /** Shows a file in the system file manager. */
  revealInFolder(path: string): void;
}

export const hubTokenSecret = 'huggingface-token';

/** Secrets kept in memory until the process ends, with `note` saying why to the user. */
export function memorySecretStore(note: string): SecretStore {
  const values = new Map<string, string>();
  return {
    storage: { kind: 'memory', note },
    get: (name) => values.get(name) ?? null,
    set: (name, value) => {
      if (value === null) values.delete(name);
      else values.set(name, value);
    }
  };
}

export const browserModeSecretsNote = 'Browser mode keeps API keys in memory until the Hearth server stops; the Hugging Face token comes from HF_TOKEN in its environment.';
