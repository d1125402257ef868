/// <reference types="svelte" />
/// <reference types="vite/client" />
import type { HearthTransport } from '$api/contract';

declare global {
  interface Window {
    /** Exposed by the Electron preload (contextBridge); absent in browser mode. */
    hearth?: HearthTransport & {
      /** Commands chosen in the application menu ('new-chat', 'search'); desktop only. */
      onMenuCommand?(listener: (command: string) => void): () => void;
      /** The path of a file dropped on the window (Electron's webUtils); desktop only. */
      pathForFile?(file: File): string;
    };
  }
}

export {};
