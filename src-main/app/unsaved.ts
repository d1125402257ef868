import type { Message } from '../api';
import type { ReplyEnd } from '../history';

/** A finished reply's last state, not yet written. */
export interface UnsavedReply extends ReplyEnd {
  messageId: number;
  conversationId: number;
}

/** How often writing the kept replies is tried again. */
export const unsavedRetryMs = 2_000;

/**
 * Replies whose final write failed (a full disk, a database another process holds locked): kept in
 * memory, shown in place of what the history holds, and written as soon as the history takes writes
 * again. Nothing the model wrote is dropped while the app runs.
 */
export class UnsavedReplies {
  private readonly replies = new Map<number, UnsavedReply>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    /** Writes the reply; throws while the history refuses writes; null when its message is gone. */
    private readonly save: (reply: UnsavedReply) => Message | null,
    /** Told once a kept reply has been written. */
    private readonly onSaved: (message: Message) => void,
    private readonly retryMs = unsavedRetryMs
  ) {}

  get size(): number {
    return this.replies.size;
  }

  keep(reply: UnsavedReply): void {
    this.replies.set(reply.messageId, reply);
    this.schedule();
  }

  /** The messages as the user should see them: a kept reply's text in place of the stored one. */
  overlay(messages: Message[]): Message[] {
    if (this.replies.size === 0) return messages;
    return messages.map((message) => {
      const kept = this.replies.get(message.id);
      return kept ? { ...message, content: kept.content, thought: kept.thought, status: 'error', error: unsavedError(kept) } : message;
    });
  }

  /** Tries to write every kept reply now; the ones that still fail wait for the next try. */
  retry(): void {
    for (const reply of [...this.replies.values()]) {
      let saved: Message | null;
      try {
        saved = this.save(reply);
      } catch {
        continue;
      }
      this.replies.delete(reply.messageId);
      if (saved) this.onSaved(saved);
    }
    if (this.replies.size > 0) this.schedule();
  }

  /** At shutdown: one last try, then the timer goes. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.retry();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.retry();
    }, this.retryMs);
    // A pending retry must not keep a CLI process alive.
    this.timer.unref();
  }
}

/** What a kept reply says about itself until it is written. */
export function unsavedError(reply: Pick<UnsavedReply, 'error'>, reason?: string): string {
  const why = reason ? ` (${reason})` : '';
  return `Not saved yet${why}: the history did not accept the write. The text is kept while Hearth runs and saved as soon as it can be; copy it to be safe.${reply.error ? ` ${reply.error}` : ''}`;
}
