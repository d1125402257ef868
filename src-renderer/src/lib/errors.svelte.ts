import type { ErrorIssue } from '$api/errors';
import { ApiClientError } from './api';

export interface BannerError {
  id: number;
  /** What the user was doing, e.g. "Could not send the message". */
  context: string;
  code: string;
  message: string;
  issues: ErrorIssue[];
}

const maxShown = 4;

/** Errors shown in the dismissable banner: every failed call lands here, so the app never goes blank. */
export class ErrorState {
  items = $state<BannerError[]>([]);
  private nextId = 1;

  report(error: unknown, context = 'Something went wrong'): void {
    const failure = ApiClientError.from(error);
    console.warn(`[hearth] ${context}:`, failure.code, failure.message);
    const duplicate = this.items.find((item) => item.message === failure.message && item.context === context);
    if (duplicate) return;
    const item: BannerError = {
      id: this.nextId++,
      context,
      code: failure.code,
      message: failure.message,
      issues: failure.issues ?? []
    };
    this.items = [...this.items, item].slice(-maxShown);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((item) => item.id !== id);
  }

  /**
   * What failed in `context` has now worked (a message was sent): its banner would contradict the
   * screen, so it goes. Errors of reaching the server go as well, since a call just reached it.
   */
  resolved(context: string): void {
    this.items = this.items.filter((item) => item.context !== context && item.code !== 'NETWORK');
  }

  /** The connection to the server is back: failures to reach it are over. */
  reconnected(): void {
    this.items = this.items.filter((item) => item.code !== 'NETWORK');
  }

  clear(): void {
    this.items = [];
  }
}
