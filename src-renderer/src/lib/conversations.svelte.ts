import type { Conversation } from '$api/contract';
import type { HearthApi } from './api';
import type { ErrorState } from './errors.svelte';

function byRecency(a: Conversation, b: Conversation): number {
  return b.updatedAt - a.updatedAt || b.id - a.id;
}

/** The sidebar's conversation list: pinned first, then the most recent. */
export class ConversationsState {
  items = $state<Conversation[]>([]);
  loaded = $state(false);

  pinned = $derived(this.items.filter((c) => c.pinned).sort(byRecency));
  recent = $derived(this.items.filter((c) => !c.pinned).sort(byRecency));

  constructor(
    private readonly api: HearthApi,
    private readonly errors: ErrorState
  ) {}

  async refresh(): Promise<void> {
    try {
      this.items = await this.api.call('conversations.list', {});
    } catch (error) {
      this.errors.report(error, 'Could not load the conversations');
    } finally {
      this.loaded = true;
    }
  }

  find(id: number): Conversation | undefined {
    return this.items.find((c) => c.id === id);
  }

  upsert(conversation: Conversation): void {
    const index = this.items.findIndex((c) => c.id === conversation.id);
    if (index === -1) this.items = [conversation, ...this.items];
    else this.items[index] = conversation;
  }

  removeLocal(id: number): void {
    this.items = this.items.filter((c) => c.id !== id);
  }

  /** Deletes a chat made for a first message that could not be sent; a failure leaves it to the next refresh. */
  async discard(id: number): Promise<void> {
    this.removeLocal(id);
    await this.api.call('conversations.delete', { id }).catch(() => undefined);
  }

  touch(id: number, at = Date.now()): void {
    const item = this.find(id);
    if (item && item.updatedAt < at) item.updatedAt = at;
  }
}
