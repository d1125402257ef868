import {
  defaultGenerationSettings,
  type Conversation,
  type ConversationWithMessages,
  type Events,
  type Message,
  type GenerationSettings
} from '$api/contract';
import { ApiClientError, type HearthApi } from './api';
import type { Announcer } from './announcer.svelte';
import type { ConversationsState } from './conversations.svelte';
import type { EngineState } from './engine.svelte';
import type { ErrorState } from './errors.svelte';
import { stopReasonLabels } from './format';

/** Settings of a chat that does not exist yet: it is created with them on the first message. */
export interface Draft {
  modelPath: string | null;
  systemPrompt: string;
  settings: Partial<GenerationSettings>;
}

/** Deltas are applied at most this often, so a fast model does not re-render Markdown per token. */
const flushMs = 50;

function sortKey(message: Message): number {
  return message.id < 0 ? Number.MAX_SAFE_INTEGER + message.id : message.id;
}

/** The open conversation: its messages, the streaming reply, sending and stopping. */
export class ChatState {
  conversation = $state<Conversation | null>(null);
  messages = $state<Message[]>([]);
  draft = $state<Draft>({ modelPath: null, systemPrompt: '', settings: {} });
  opening = $state(false);
  sending = $state(false);
  /** What new chats start with (`settings.generationDefaults`); the built-in defaults until it answers. */
  defaults = $state<GenerationSettings>(defaultGenerationSettings);

  generating = $derived(this.sending || this.messages.some((m) => m.status === 'streaming'));
  /** Regenerate, edit, continue, switching and deleting all wait for the reply in progress. */
  canChange = $derived(this.conversation !== null && !this.generating);
  settings = $derived<GenerationSettings>(this.conversation ? this.conversation.settings : { ...this.defaults, ...this.draft.settings });
  systemPrompt = $derived(this.conversation ? this.conversation.systemPrompt : this.draft.systemPrompt);
  // .by: it reads a constructor parameter, which TypeScript would take for a use before initialisation.
  chatTemplate = $derived.by(() => this.conversation?.chatTemplate ?? this.engine.status.model?.chatTemplate ?? null);

  private pending = new Map<number, { conversationId: number; text: string; outputTokens: number }>();
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private openGeneration = 0;
  private nextLocalId = -1;
  /** Stop was asked for before chat.send answered: there was no reply to stop yet. */
  private stopRequested = false;

  constructor(
    private readonly api: HearthApi,
    private readonly conversations: ConversationsState,
    private readonly engine: EngineState,
    private readonly errors: ErrorState,
    private readonly announcer: Announcer
  ) {}

  newDraft(): void {
    this.openGeneration++;
    this.conversation = null;
    this.messages = [];
    this.opening = false;
    // A new chat keeps the model that is loaded (or being loaded, or was chosen for the previous draft).
    this.draft = { modelPath: this.engine.loadingName ?? this.engine.loadedName ?? this.draft.modelPath, systemPrompt: '', settings: {} };
  }

  async loadDefaults(): Promise<void> {
    try {
      this.defaults = await this.api.call('settings.generationDefaults', {});
    } catch (error) {
      this.errors.report(error, 'Could not read the default settings for new chats');
    }
  }

  async open(id: number): Promise<boolean> {
    const generation = ++this.openGeneration;
    this.opening = true;
    try {
      const result = await this.api.call('conversations.get', { id });
      if (generation !== this.openGeneration) return false;
      this.show(result);
      return true;
    } catch (error) {
      if (generation === this.openGeneration) this.errors.report(error, 'Could not open the conversation');
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

  private show(result: ConversationWithMessages): void {
    this.conversation = result.conversation;
    this.messages = [...result.messages].sort((a, b) => sortKey(a) - sortKey(b));
    this.conversations.upsert(result.conversation);
  }

  /** Re-reads the branch on show once a reply has ended, so every message's alternatives are current. */
  private async refreshBranch(conversationId: number): Promise<void> {
    const generation = this.openGeneration;
    try {
      const result = await this.api.call('conversations.get', { id: conversationId });
      // Another chat was opened, or a new reply started: that state is newer than this answer.
      if (generation !== this.openGeneration || this.conversation?.id !== conversationId || this.generating) return;
      this.show(result);
    } catch (error) {
      this.errors.report(error, 'Could not refresh the conversation');
    }
  }

  async send(text: string): Promise<boolean> {
    const content = text.trim();
    if (!content || this.generating) return false;
    const draftModel = this.draft.modelPath ?? this.engine.loadingName ?? this.engine.loadedName;
    if (!this.conversation && !draftModel) {
      this.errors.report(new Error('Choose a model in the Model picker first.'), 'Cannot send yet');
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
      metrics: null,
      parentId: this.messages.at(-1)?.id ?? null,
      siblingIds: [localId]
    });
    let created: Conversation | null = null;
    try {
      let conversation = this.conversation;
      if (!conversation) {
        const generation = this.openGeneration;
        conversation = created = await this.api.call('conversations.create', {
          modelPath: draftModel,
          systemPrompt: this.draft.systemPrompt,
          settings: this.draft.settings
        });
        this.conversations.upsert(conversation);
        if (generation !== this.openGeneration) return false;
        this.conversation = conversation;
      }
      const { userMessage, assistantMessage } = await this.api.call('chat.send', { conversationId: conversation.id, content });
      this.conversations.touch(conversation.id, userMessage.createdAt);
      if (this.conversation?.id !== conversation.id) return true;
      this.messages = this.messages.filter((m) => m.id !== localId);
      this.upsertMessage(userMessage);
      this.upsertMessage(assistantMessage);
      if (this.stopRequested) void this.stop();
      return true;
    } catch (error) {
      this.messages = this.messages.filter((m) => m.id !== localId);
      this.errors.report(error, 'Could not send the message');
      if (created) await this.discardCreated(created);
      return false;
    } finally {
      this.sending = false;
    }
  }

  /** A chat created for a first message that could not be sent goes back to being a draft. */
  private async discardCreated(conversation: Conversation): Promise<void> {
    this.conversations.removeLocal(conversation.id);
    if (this.conversation?.id === conversation.id) this.conversation = null;
    try {
      await this.api.call('conversations.delete', { id: conversation.id });
    } catch {
      /* it stays in the list on the next refresh; nothing else to do */
    }
  }

  /** A new reply to the same message, shown in place of `messageId` (which stays as an alternative). */
  async regenerate(messageId: number): Promise<boolean> {
    if (!this.canChange) return false;
    return this.startReply(
      'Could not regenerate the reply',
      (conversationId) => this.api.call('chat.regenerate', { conversationId, messageId }),
      ({ assistantMessage }) => this.showNewBranch(messageId, [assistantMessage])
    );
  }

  /** Sends an edited copy of a user message: a new branch from there, the old one kept as an alternative. */
  async edit(messageId: number, text: string): Promise<boolean> {
    const content = text.trim();
    if (!content || !this.canChange) return false;
    return this.startReply(
      'Could not send the edited message',
      (conversationId) => this.api.call('chat.edit', { conversationId, messageId, content }),
      ({ userMessage, assistantMessage }) => this.showNewBranch(messageId, [userMessage, assistantMessage])
    );
  }

  /** Carries on a reply that stopped early; its new text arrives as deltas to the same message. */
  async continueReply(messageId: number): Promise<boolean> {
    const index = this.messages.findIndex((m) => m.id === messageId);
    if (index === -1 || !this.canChange) return false;
    const original = this.messages[index];
    // Streaming already, so deltas that beat chat.continue's answer are appended rather than dropped.
    this.messages[index] = { ...original, status: 'streaming' };
    const started = await this.startReply(
      'Could not continue the reply',
      (conversationId) => this.api.call('chat.continue', { conversationId, messageId }),
      ({ assistantMessage }) => this.upsertMessage(assistantMessage)
    );
    // Nothing started: the reply goes back to how it was (it may have moved in the list meanwhile).
    const at = this.messages.findIndex((m) => m.id === messageId);
    if (!started && at !== -1 && this.messages[at].status === 'streaming') this.messages[at] = original;
    return started;
  }

  /** Shows the branch through another alternative of a message. */
  async selectAlternative(messageId: number): Promise<void> {
    const failure = await this.changeBranch((conversationId) => this.api.call('messages.select', { conversationId, messageId }));
    if (failure) this.errors.report(failure, 'Could not show that alternative');
  }

  /** Deletes a message and what follows it on the branch on show; returns the problem, for the confirmation to show. */
  async deleteMessage(messageId: number): Promise<string | null> {
    const failure = await this.changeBranch((conversationId) => this.api.call('messages.delete', { conversationId, messageId }));
    return failure?.message ?? null;
  }

  /** Replaces the messages on show with the branch the call answers with; returns its failure. */
  private async changeBranch(call: (conversationId: number) => Promise<ConversationWithMessages>): Promise<ApiClientError | null> {
    const conversation = this.conversation;
    if (!conversation || !this.canChange) return new ApiClientError('BUSY', 'Wait for the reply to finish first.');
    try {
      const result = await call(conversation.id);
      if (this.conversation?.id === conversation.id) this.show(result);
      return null;
    } catch (error) {
      return ApiClientError.from(error);
    }
  }

  /**
   * Starts a reply in the open conversation as chat.send does (callers check `canChange` first):
   * generating from the first moment, so Stop and Esc work even before the call answers; deltas
   * and chat.end then find the reply by its message id.
   */
  private async startReply<T>(failure: string, call: (conversationId: number) => Promise<T>, place: (started: T) => void): Promise<boolean> {
    const conversation = this.conversation;
    if (!conversation) return false;
    this.sending = true;
    this.stopRequested = false;
    try {
      const started = await call(conversation.id);
      this.conversations.touch(conversation.id);
      if (this.conversation?.id === conversation.id) place(started);
      if (this.stopRequested) void this.stop();
      return true;
    } catch (error) {
      this.errors.report(error, failure);
      return false;
    } finally {
      this.sending = false;
    }
  }

  /** The messages before `replacedId` stay; from there on the new branch's messages are shown. */
  private showNewBranch(replacedId: number, started: Message[]): void {
    const ids = new Set(started.map((m) => m.id));
    const at = this.messages.findIndex((m) => m.id === replacedId);
    const kept = (at === -1 ? this.messages : this.messages.slice(0, at)).filter((m) => !ids.has(m.id));
    // A reply whose deltas beat the call's answer is already on show: keep its streamed text.
    const streamed = this.messages.filter((m) => ids.has(m.id));
    this.messages = [...kept, ...streamed];
    for (const message of started) this.upsertMessage(message);
  }

  async stop(): Promise<void> {
    const conversation = this.conversation;
    if (this.sending) this.stopRequested = true;
    if (!conversation) return;
    try {
      await this.api.call('chat.stop', { conversationId: conversation.id });
    } catch (error) {
      this.errors.report(error, 'Could not stop the reply');
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
    this.conversations.touch(event.conversationId, event.message.updatedAt);
    if (this.conversation?.id !== event.conversationId) return;
    this.upsertMessage(event.message);
    void this.refreshBranch(event.conversationId);
    const reason = event.message.metrics?.stopReason;
    const outcome =
      event.message.status === 'error'
        ? `Reply failed: ${event.message.error ?? 'error'}.`
        : `Reply finished${reason ? ` (${stopReasonLabels[reason]})` : ''}.`;
    this.announcer.finish(event.message.id, event.message.content, outcome);
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
          metrics: null,
          parentId: null,
          siblingIds: [messageId]
        });
        message = this.messages.find((m) => m.id === messageId);
      }
      if (message && message.status === 'streaming') {
        message.content += buffer.text;
        this.announcer.update(messageId, message.content);
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
