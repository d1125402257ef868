import { defaultGenerationSettings, parseRemoteModelName, type Conversation, type ConversationWithMessages, type Events, type Message, type GenerationSettings } from '$api/contract';
import { ApiClientError, type HearthApi } from './api';
import type { Announcer } from './announcer.svelte';
import type { ConversationsState } from './conversations.svelte';
import type { EngineState } from './engine.svelte';
import type { ErrorState } from './errors.svelte';
import { stopReasonLabels } from './format';
import { MessageList, messageStub, type LiveThinking } from './messageList.svelte';

/** Settings of a chat that does not exist yet: it is created with them on the first message. */
export interface Draft {
  model: string | null;
  systemPrompt: string;
  settings: Partial<GenerationSettings>;
}

/** The open conversation: its messages, the streaming reply, sending and stopping. */
export class ChatState {
  conversation = $state<Conversation | null>(null);
  draft = $state<Draft>({ model: null, systemPrompt: '', settings: {} });
  opening = $state(false);
  sending = $state(false);
  /** What new chats start with (`settings.generationDefaults`); the built-in defaults until it answers. */
  defaults = $state<GenerationSettings>(defaultGenerationSettings);

  generating = $derived(this.sending || this.messages.some((m) => m.status === 'streaming'));
  /** Regenerate, edit, continue, switching and deleting all wait for the reply in progress. */
  canChange = $derived(this.conversation !== null && !this.generating);
  settings = $derived<GenerationSettings>(this.conversation ? this.conversation.settings : { ...this.defaults, ...this.draft.settings });
  systemPrompt = $derived(this.conversation ? this.conversation.systemPrompt : this.draft.systemPrompt);
  /**
   * The model this chat's next reply uses (the picker, the chat's text and the token meter show it; the
   * status bar shows what the engine has loaded, which a reply replaces first when they differ).
   */
  model = $derived.by(() => this.conversation?.model ?? this.draft.model ?? this.engine.loadingName ?? this.engine.loadedName ?? null);
  /** This chat's model is local and not the one loaded: it loads when the next message is sent. */
  modelNotLoaded = $derived.by(() => this.model !== null && parseRemoteModelName(this.model) === null && this.model !== this.engine.loadedName);
  // .by: it reads a constructor parameter, which TypeScript would take for a use before initialisation.
  chatTemplate = $derived.by(() => this.conversation?.chatTemplate ?? this.engine.status.model?.chatTemplate ?? null);

  private readonly list: MessageList;
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
  ) {
    this.list = new MessageList(announcer, () => this.conversation?.id ?? null);
  }

  /** The branch on show, first message to last (a streaming reply's text grows as its deltas arrive). */
  get messages(): Message[] {
    return this.list.items;
  }

  /** A streaming reply's thinking so far (its clock and tokens), until the reply ends. */
  liveThinking(messageId: number): LiveThinking | undefined {
    return this.list.thinking[messageId];
  }

  newDraft(): void {
    this.openGeneration++;
    this.conversation = null;
    this.list.replace([]);
    this.opening = false;
    // A new chat keeps the model that is loaded (or being loaded, or was chosen for the previous draft).
    this.draft = { model: this.engine.loadingName ?? this.engine.loadedName ?? this.draft.model, systemPrompt: '', settings: {} };
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
    this.list.replace(result.messages);
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

  /** `beforeReply` runs once the conversation exists (made here for a draft) and before the reply starts: attaching files. */
  async send(text: string, beforeReply?: (conversationId: number) => Promise<void>): Promise<boolean> {
    const content = text.trim();
    if (!content || this.generating) return false;
    const draftModel = this.draft.model ?? this.engine.loadingName ?? this.engine.loadedName;
    if (!this.conversation && !draftModel) {
      this.errors.report(new Error('Choose a model in the Model picker first.'), 'Cannot send yet');
      return false;
    }
    this.sending = true;
    this.stopRequested = false;
    const localId = this.nextLocalId--;
    this.list.upsert(messageStub(localId, this.conversation?.id ?? 0, 'user', content, 'complete', this.messages.at(-1)?.id ?? null));
    let created: Conversation | null = null;
    try {
      let conversation = this.conversation;
      if (!conversation) {
        const generation = this.openGeneration;
        conversation = created = await this.api.call('conversations.create', {
          model: draftModel,
          systemPrompt: this.draft.systemPrompt,
          settings: this.draft.settings
        });
        this.conversations.upsert(conversation);
        if (generation !== this.openGeneration) return false;
        this.conversation = conversation;
      }
      if (beforeReply) await beforeReply(conversation.id);
      const { userMessage, assistantMessage } = await this.api.call('chat.send', { conversationId: conversation.id, content });
      this.errors.resolved('Could not send the message');
      this.conversations.touch(conversation.id, userMessage.createdAt);
      if (this.conversation?.id !== conversation.id) return true;
      this.list.remove(localId);
      this.list.upsert(userMessage);
      this.list.upsert(assistantMessage);
      if (this.stopRequested) void this.stop();
      return true;
    } catch (error) {
      this.list.remove(localId);
      this.errors.report(error, 'Could not send the message');
      // The chat made for this first message goes back to being a draft.
      if (created && this.conversation?.id === created.id) this.conversation = null;
      if (created) await this.conversations.discard(created.id);
      return false;
    } finally {
      this.sending = false;
    }
  }

  /** A new reply to the same message, shown in place of `messageId` (which stays as an alternative). */
  async regenerate(messageId: number): Promise<boolean> {
    if (!this.canChange) return false;
    return this.startReply(
      'Could not regenerate the reply',
      (conversationId) => this.api.call('chat.regenerate', { conversationId, messageId }),
      ({ assistantMessage }) => this.list.showNewBranch(messageId, [assistantMessage])
    );
  }

  /** Sends an edited copy of a user message: a new branch from there, the old one kept as an alternative. */
  async edit(messageId: number, text: string): Promise<boolean> {
    const content = text.trim();
    if (!content || !this.canChange) return false;
    return this.startReply(
      'Could not send the edited message',
      (conversationId) => this.api.call('chat.edit', { conversationId, messageId, content }),
      ({ userMessage, assistantMessage }) => this.list.showNewBranch(messageId, [userMessage, assistantMessage])
    );
  }

  /** Carries on a reply that stopped early; its new text arrives as deltas to the same message. */
  async continueReply(messageId: number): Promise<boolean> {
    const index = this.messages.findIndex((m) => m.id === messageId);
    if (index === -1 || !this.canChange) return false;
    const original = this.messages[index];
    // Streaming already, so deltas that beat chat.continue's answer are appended rather than dropped.
    this.list.items[index] = { ...original, status: 'streaming' };
    const started = await this.startReply(
      'Could not continue the reply',
      (conversationId) => this.api.call('chat.continue', { conversationId, messageId }),
      ({ assistantMessage }) => this.list.upsert(assistantMessage)
    );
    // Nothing started: the reply goes back to how it was (it may have moved in the list meanwhile).
    const at = this.messages.findIndex((m) => m.id === messageId);
    if (!started && at !== -1 && this.messages[at].status === 'streaming') this.list.items[at] = original;
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
      this.errors.resolved(failure);
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
    this.list.onDelta(event);
  }

  onEnd(event: Events['chat.end']): void {
    this.list.end(event.message.id);
    this.conversations.touch(event.conversationId, event.message.updatedAt);
    if (this.conversation?.id !== event.conversationId) return;
    this.list.upsert(event.message);
    void this.refreshBranch(event.conversationId);
    const reason = event.message.metrics?.stopReason;
    const outcome =
      event.message.status === 'error'
        ? `Reply failed: ${event.message.error ?? 'error'}.`
        : `Reply finished${reason ? ` (${stopReasonLabels[reason]})` : ''}.`;
    this.announcer.finish(event.message.id, event.message.content, outcome);
  }
}
