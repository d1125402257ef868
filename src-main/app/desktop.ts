/**
 * What only the desktop app can do, handed to the services by the Electron shell; browser mode and
 * the CLI run without it, and the methods that need it say so.
 */
export interface SecretStore {
  /** False when the OS keychain is unavailable (then nothing is stored). */
  readonly available: boolean;
  get(name: string): string | null;
  set(name: string, value: string | null): void;
}

export interface DesktopCapabilities {
  secrets: SecretStore;
  /** Shows a file in the system file manager. */
  revealInFolder(path: string): void;
}

export const hubTokenSecret = 'huggingface-token';
