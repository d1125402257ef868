import type { Events, Message, ReplySegment } from '$api/contract';
import type { Announcer } from './announcer.svelte';

/** Deltas are applied at most this often, so a fast model does not re-render Markdown per token. */
const flushMs = 50;

/** Messages not yet stored (negative local ids) sort after every stored one, in the order they were added. */
function sortKey(message: Message): number {
  return message.id < 0 ? Number.MAX_SAFE_INTEGER + message.id : message.id;
}

/** A message the server has not answered for yet (a sent message's local copy, a reply whose deltas came first). */
export function messageStub(id: number, conversationId: number, role: Message['role'], content: string, status: Message['status'], parentId: number | null): Message {
  const now = Date.now();
  return { id, conversationId, role, content, thought: '', status, error: null, createdAt: now, updatedAt: now, metrics: null, parentId, siblingIds: [id] };
}

/**
 * A streaming reply's thinking as the page sees it: when its first and (once the answer starts) last
 * thought arrived, by this page's clock, and the tokens generated meanwhile. The stored figures replace
 * these when the reply ends.
 */
export interface LiveThinking {
  startedAt: number;
  endedAt: number | null;
  tokens: number;
}

interface Pending {
  conversationId: number;
  thought: string;
  text: string;
  outputTokens: number;
}

/**
 * The messages on show in the open conversation, and a streaming reply's text as its deltas arrive:
 * deltas are buffered and applied in small batches, a finished reply never goes back to streaming, and
 * streamed text is never thrown away when a call's answer carries less of it.
 */
export class MessageList {
  items = $state<Message[]>([]);
  /** Streaming replies' thinking, by message id (see `LiveThinking`). */
  thinking = $state<Record<number, LiveThinking>>({});

  private pending = new Map<number, Pending>();
  private flushTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly announcer: Announcer,
    /** The conversation on show: deltas of any other wait in the buffer and are dropped at its end. */
    private readonly openConversationId: () => number | null
  ) {}

  /** Shows `messages` (a conversation's branch), in order. */
  replace(messages: Message[]): void {
    this.items = [...messages].sort((a, b) => sortKey(a) - sortKey(b));
  }

  remove(id: number): void {
    this.items = this.items.filter((m) => m.id !== id);
  }

  /** Adds a message in its place by id, or updates the one with its id (see the class comment). */
  upsert(message: Message): void {
    const index = this.items.findIndex((m) => m.id === message.id);
    if (index === -1) {
      const at = this.items.findIndex((m) => sortKey(m) > sortKey(message));
      if (at === -1) this.items.push(message);
      else this.items.splice(at, 0, message);
      return;
    }
    const current = this.items[index];
    if (message.status === 'streaming') {
      if (current.status !== 'streaming') return;
      this.items[index] = {
        ...message,
        content: current.content.length > message.content.length ? current.content : message.content,
        thought: current.thought.length > message.thought.length ? current.thought : message.thought
      };
      return;
    }
    this.items[index] = message;
  }

  /** The messages before `replacedId` stay; from there on the new branch's messages are shown. */
  showNewBranch(replacedId: number, started: Message[]): void {
    const ids = new Set(started.map((m) => m.id));
    const at = this.items.findIndex((m) => m.id === replacedId);
    const kept = (at === -1 ? this.items : this.items.slice(0, at)).filter((m) => !ids.has(m.id));
    // A reply whose deltas beat the call's answer is already on show: keep its streamed text.
    const streamed = this.items.filter((m) => ids.has(m.id));
    this.items = [...kept, ...streamed];
    for (const message of started) this.upsert(message);
  }

  onDelta(event: Events['chat.delta']): void {
    const buffer = this.pending.get(event.messageId) ?? { conversationId: event.conversationId, thought: '', text: '', outputTokens: 0 };
    if (event.segment === 'thought') buffer.thought += event.delta;
    else buffer.text += event.delta;
    buffer.outputTokens = event.outputTokens;
    this.pending.set(event.messageId, buffer);
    this.timeThinking(event.messageId, event.segment, event.outputTokens);
    this.flushTimer ??= setTimeout(() => this.flush(), flushMs);
  }

  /** Starts a reply's thinking clock at its first thought and stops it at its first answer text. */
  private timeThinking(messageId: number, segment: ReplySegment, outputTokens: number): void {
    const live = this.thinking[messageId];
    if (segment === 'thought') {
      if (!live) {
        this.thinking[messageId] = { startedAt: Date.now(), endedAt: null, tokens: outputTokens };
        this.announcer.thinking(messageId);
      } else if (live.endedAt === null) live.tokens = outputTokens;
    } else if (live && live.endedAt === null) {
      live.endedAt = Date.now();
    }
  }

  /** At a reply's end: what is still buffered goes on show first, then the reply's buffer is dropped. */
  end(messageId: number): void {
    this.flush();
    this.pending.delete(messageId);
    delete this.thinking[messageId];
  }

  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    for (const [messageId, buffer] of this.pending) {
      if (buffer.conversationId !== this.openConversationId()) continue;
      let message = this.items.find((m) => m.id === messageId);
      if (!message) {
        // The delta beat chat.send's answer here: show the reply now; chat.send fills in the rest.
        this.upsert(messageStub(messageId, buffer.conversationId, 'assistant', '', 'streaming', null));
        message = this.items.find((m) => m.id === messageId);
      }
      if (message && message.status === 'streaming') {
        message.thought += buffer.thought;
        message.content += buffer.text;
        // A screen reader hears the answer; the thinking is announced once, when it starts.
        if (buffer.text) this.announcer.update(messageId, message.content);
      }
    }
    this.pending.clear();
  }
}
