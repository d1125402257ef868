import {
  defaultSamplingSettings,
  type Conversation,
  type Events,
  type Message,
  type SamplingSettings
} from '../../../src-main/api/contract';
import { api } from './client';
import { announcer } from './announcer.svelte';
import { conversations } from './conversations.svelte';
import { engine } from './engine.svelte';
import { errors } from './errors.svelte';
import { stopReasonLabels } from './format';

/** Settings of a chat that does not exist yet: it is created with them on the first message. */
export interface Draft {
  modelPath: string | null;
  systemPrompt: string;
  settings: Partial<SamplingSettings>;
}

/** Deltas are applied at most this often, so a fast model does not re-render Markdown per token. */
const flushMs = 50;

function sortKey(message: Message): number {
  return message.id < 0 ? Number.MAX_SAFE_INTEGER + message.id : message.id;
}

/** The open conversation: its messages, the streaming reply, sending and stopping. */
class ChatState {
  conversation = $state<Conversation | null>(null);
  messages = $state<Message[]>([]);
  draft = $state<Draft>({ modelPath: null, systemPrompt: '', settings: {} });
  opening = $state(false);
  sending = $state(false);

  generating = $derived(this.sending || this.messages.some((m) => m.status === 'streaming'));
  settings = $derived<SamplingSettings>(
    this.conversation ? this.conversation.settings : { ...defaultSamplingSettings, ...this.draft.settings }
  );
  systemPrompt = $derived(this.conversation ? this.conversation.systemPrompt : this.draft.systemPrompt);
  chatTemplate = $derived(this.conversation?.chatTemplate ?? engine.status.model?.chatTemplate ?? null);

  private pending = new Map<number, { conversationId: number; text: string; outputTokens: number }>();
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private openGeneration = 0;
  private nextLocalId = -1;
  /** Stop was asked for before chat.send answered: there was no reply to stop yet. */
  private stopRequested = false;

  newDraft(): void {
    this.openGeneration++;
    this.conversation = null;
    this.messages = [];
    this.opening = false;
    // A new chat keeps the model that is loaded (or being loaded, or was chosen for the previous draft).
    this.draft = { modelPath: engine.loadingName ?? engine.loadedName ?? this.draft.modelPath, systemPrompt: '', settings: {} };
  }

  async open(id: number): Promise<boolean> {
    const generation = ++this.openGeneration;
    this.opening = true;
    try {
      const result = await api.call('conversations.get', { id });
      if (generation !== this.openGeneration) return false;
      this.conversation = result.conversation;
      this.messages = [...result.messages].sort((a, b) => sortKey(a) - sortKey(b));
      conversations.upsert(result.conversation);
      return true;
    } catch (error) {
      if (generation === this.openGeneration) errors.report(error, 'Could not open the conversation');
      return false;
    } finally {
      if (generation === this.openGeneration) this.opening = false;
    }
  }

  /** Re-reads the open conversation (after a reconnect, when events may have been missed). */
  async reload(): Promise<void> {
    if (this.conversation) await this.open(this.conversation.id);
  }

  setConversation(conversation: Conversation): void {
    if (this.conversation?.id === conversation.id) this.conversation = conversation;
  }

  async send(text: string): Promise<boolean> {
    const content = text.trim();
    if (!content || this.generating) return false;
    const draftModel = this.draft.modelPath ?? engine.loadingName ?? engine.loadedName;
    if (!this.conversation && !draftModel) {
      errors.report(new Error('Choose a model in the Model picker first.'), 'Cannot send yet');
      return false;
    }
    this.sending = true;
    this.stopRequested = false;
    const localId = this.nextLocalId--;
    const now = Date.now();
    this.messages.push({
      id: localId,
      conversationId: this.conversation?.id ?? 0,
      role: 'user',
      content,
      status: 'complete',
      error: null,
      createdAt: now,
      updatedAt: now,
      metrics: null
    });
    let created: Conversation | null = null;
    try {
      let conversation = this.conversation;
      if (!conversation) {
        const generation = this.openGeneration;
        conversation = created = await api.call('conversations.create', {
          modelPath: draftModel,
          systemPrompt: this.draft.systemPrompt,
          settings: this.draft.settings
        });
        conversations.upsert(conversation);
        if (generation !== this.openGeneration) return false;
        this.conversation = conversation;
      }
      const { userMessage, assistantMessage } = await api.call('chat.send', { conversationId: conversation.id, content });
      conversations.touch(conversation.id, userMessage.createdAt);
      if (this.conversation?.id !== conversation.id) return true;
      this.messages = this.messages.filter((m) => m.id !== localId);
      this.upsertMessage(userMessage);
      this.upsertMessage(assistantMessage);
      if (this.stopRequested) void this.stop();
      return true;
    } catch (error) {
      this.messages = this.messages.filter((m) => m.id !== localId);
      errors.report(error, 'Could not send the message');
      if (created) await this.discardCreated(created);
      return false;
    } finally {
      this.sending = false;
    }
  }

  /** A chat created for a first message that could not be sent goes back to being a draft. */
  private async discardCreated(conversation: Conversation): Promise<void> {
    conversations.removeLocal(conversation.id);
    if (this.conversation?.id === conversation.id) this.conversation = null;
    try {
      await api.call('conversations.delete', { id: conversation.id });
    } catch {
      /* it stays in the list on the next refresh; nothing else to do */
    }
  }

  async stop(): Promise<void> {
    const conversation = this.conversation;
    if (this.sending) this.stopRequested = true;
    if (!conversation) return;
    try {
      await api.call('chat.stop', { conversationId: conversation.id });
    } catch (error) {
      errors.report(error, 'Could not stop the reply');
    }
  }

  onDelta(event: Events['chat.delta']): void {
    const buffer = this.pending.get(event.messageId) ?? { conversationId: event.conversationId, text: '', outputTokens: 0 };
    buffer.text += event.delta;
    buffer.outputTokens = event.outputTokens;
    this.pending.set(event.messageId, buffer);
    this.flushTimer ??= setTimeout(() => this.flush(), flushMs);
  }

  onEnd(event: Events['chat.end']): void {
    this.flush();
    this.pending.delete(event.message.id);
    conversations.touch(event.conversationId, event.message.updatedAt);
    if (this.conversation?.id !== event.conversationId) return;
    this.upsertMessage(event.message);
    const reason = event.message.metrics?.stopReason;
    const outcome =
      event.message.status === 'error'
        ? `Reply failed: ${event.message.error ?? 'error'}.`
        : `Reply finished${reason ? ` (${stopReasonLabels[reason]})` : ''}.`;
    announcer.finish(event.message.id, event.message.content, outcome);
  }

  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    for (const [messageId, buffer] of this.pending) {
      if (buffer.conversationId !== this.conversation?.id) continue;
      let message = this.messages.find((m) => m.id === messageId);
      if (!message) {
        // The delta beat chat.send's answer here: show the reply now; chat.send fills in the rest.
        const now = Date.now();
        this.upsertMessage({
          id: messageId,
          conversationId: buffer.conversationId,
          role: 'assistant',
          content: '',
          status: 'streaming',
          error: null,
          createdAt: now,
          updatedAt: now,
          metrics: null
        });
        message = this.messages.find((m) => m.id === messageId);
      }
      if (message && message.status === 'streaming') {
        message.content += buffer.text;
        announcer.update(messageId, message.content);
      }
    }
    this.pending.clear();
  }

  private upsertMessage(message: Message): void {
    const index = this.messages.findIndex((m) => m.id === message.id);
    if (index === -1) {
      const at = this.messages.findIndex((m) => sortKey(m) > sortKey(message));
      if (at === -1) this.messages.push(message);
      else this.messages.splice(at, 0, message);
      return;
    }
    const current = this.messages[index];
    if (message.status === 'streaming') {
      // A finished reply never goes back to streaming, and streamed text is never thrown away.
      if (current.status !== 'streaming') return;
      this.messages[index] = { ...message, content: current.content.length > message.content.length ? current.content : message.content };
      return;
    }
    this.messages[index] = message;
  }
}

export const chat = new ChatState();
