import { ApiError } from '../api';

/** A reply in progress: from the moment it is accepted (before its model loads) until its message is finished. */
export interface ActiveReply {
  readonly conversationId: number;
  /** Aborted by Stop, by deleting the conversation, and at shutdown. */
  readonly signal: AbortSignal;
}

interface Entry extends ActiveReply {
  controller: AbortController;
  /** Settles when `end` is called: the reply has stored what it produced, or never started. */
  ended: Promise<void>;
  markEnded(): void;
}

/**
 * The one answer to "is this conversation busy?": every operation that would change what a reply is
 * writing into (deleting messages, another reply) asks here, whatever stage the reply is at.
 */
export class ActiveReplies {
  private readonly entries = new Map<number, Entry>();

  /** Marks the conversation busy; BUSY when it already has a reply in progress. */
  begin(conversationId: number): ActiveReply {
    this.requireIdle(conversationId, 'wait for it or stop it');
    const controller = new AbortController();
    let markEnded = () => {};
    const ended = new Promise<void>((resolve) => (markEnded = resolve));
    const entry: Entry = { conversationId, controller, signal: controller.signal, ended, markEnded };
    this.entries.set(conversationId, entry);
    return entry;
  }

  /** Frees the conversation: the reply has finished (or never started). */
  end(reply: ActiveReply): void {
    const entry = this.entries.get(reply.conversationId);
    if (entry !== reply) return;
    this.entries.delete(reply.conversationId);
    entry.markEnded();
  }

  /** BUSY, saying what to do instead, while the conversation has a reply in progress. */
  requireIdle(conversationId: number, advice: string): void {
    if (this.entries.has(conversationId)) throw new ApiError('BUSY', `A reply is being generated in this conversation; ${advice}.`);
  }

  isBusy(conversationId: number): boolean {
    return this.entries.has(conversationId);
  }

  /** Stops the conversation's reply at whatever stage it is; true when there was one. */
  stop(conversationId: number): boolean {
    const entry = this.entries.get(conversationId);
    entry?.controller.abort();
    return entry !== undefined;
  }

  /** Stops every reply and resolves once all have stored what they produced. */
  async stopAll(): Promise<void> {
    const entries = [...this.entries.values()];
    for (const entry of entries) entry.controller.abort();
    await Promise.all(entries.map((entry) => entry.ended));
  }
}
