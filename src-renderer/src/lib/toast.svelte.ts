export interface Toast {
  id: number;
  message: string;
  actionLabel?: string;
  action?: () => void | Promise<void>;
}

/** One transient notice at a time (e.g. "Conversation deleted · Undo"). */
export class ToastState {
  current = $state<Toast | null>(null);
  private nextId = 1;
  private timer: ReturnType<typeof setTimeout> | null = null;

  show(message: string, options: { actionLabel?: string; action?: () => void | Promise<void>; timeoutMs?: number } = {}): void {
    this.clearTimer();
    this.current = { id: this.nextId++, message, actionLabel: options.actionLabel, action: options.action };
    this.timer = setTimeout(() => this.dismiss(), options.timeoutMs ?? 8000);
  }

  dismiss(): void {
    this.clearTimer();
    this.current = null;
  }

  async runAction(): Promise<void> {
    const action = this.current?.action;
    this.dismiss();
    await action?.();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
