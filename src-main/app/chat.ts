import { ApiError, parseRemoteModelName, type ContextReport, type EventBus, type Message } from '../api';
import { defaultConversationTitle, type History } from '../history';
import { chosenPromptFormat, fitPrompt, generateReply, promptTokens, replyReserve, type InferenceEngine, type Turn } from '../inference';
import type { Outbound } from '../network';
import { remoteChat, remoteTemplateName } from '../remote';
import type { ModelLoader } from './loader';
import { requireRemoteModel, type RemoteEngines } from './remotes';

/** How long streamed text may sit in memory before it is written: a crash loses at most this much. */
export const streamingWriteIntervalMs = 250;

/**
 * Deltas after the first are sent at most this often: an event per token costs the transport and the
 * page more than the tokens themselves on a fast model, and nobody reads faster than 30 updates a second.
 */
export const deltaIntervalMs = 32;

const titleLength = 60;

export function titleFrom(content: string): string {
  const line = content.replace(/\s+/g, ' ').trim();
  return line.length <= titleLength ? line : `${line.slice(0, titleLength - 1).trimEnd()}…`;
}

/** The turns a reply is generated from: what the user and the model said, failed replies left out. */
export function turnsOf(messages: Message[]): Turn[] {
  return messages
    .filter((message) => message.role !== 'system' && message.status !== 'error' && message.content !== '')
    .map((message) => ({ role: message.role as Turn['role'], content: message.content }));
}

/**
 * Sends messages and streams replies into history and onto the event bus. A regenerated reply or an
 * edited message becomes a sibling in the conversation's tree; nothing earlier is overwritten.
 */
export class ChatService {
  private replying = false;
  private current: Promise<void> = Promise.resolve();
  /** A reply from a remote engine: what `stop` aborts (local replies are the engine's to stop). */
  private remoteReply: { conversationId: number; controller: AbortController } | null = null;

  constructor(
    private readonly history: History,
    private readonly engine: InferenceEngine,
    private readonly loader: ModelLoader,
    private readonly events: EventBus,
    private readonly remotes: RemoteEngines,
    private readonly outbound: Outbound
  ) {}

  send(conversationId: number, content: string): Promise<{ userMessage: Message; assistantMessage: Message }> {
    return this.start(conversationId, (store) => {
      const userMessage = store.addMessage(conversationId, { role: 'user', content, status: 'complete' });
      return { userMessage, assistantMessage: store.addMessage(conversationId, { role: 'assistant', content: '', status: 'streaming' }, userMessage.id) };
    }, content);
  }

  /** A new reply beside `messageId`'s, to the same user message. */
  regenerate(conversationId: number, messageId: number): Promise<{ assistantMessage: Message }> {
    const previous = this.history.store.messageIn(conversationId, messageId);
    if (previous.role !== 'assistant') throw new ApiError('VALIDATION', 'Only a reply can be regenerated; edit a message of yours instead.');
    return this.start(conversationId, (store) => ({
      assistantMessage: store.addMessage(conversationId, { role: 'assistant', content: '', status: 'streaming' }, previous.parentId)
    }));
  }

  /** Sends an edited copy of a user message as a new branch from the same point. */
  edit(conversationId: number, messageId: number, content: string): Promise<{ userMessage: Message; assistantMessage: Message }> {
    const original = this.history.store.messageIn(conversationId, messageId);
    if (original.role !== 'user') throw new ApiError('VALIDATION', 'Only your own messages can be edited; regenerate a reply instead.');
    return this.start(conversationId, (store) => {
      const userMessage = store.addMessage(conversationId, { role: 'user', content, status: 'complete' }, original.parentId);
      return { userMessage, assistantMessage: store.addMessage(conversationId, { role: 'assistant', content: '', status: 'streaming' }, userMessage.id) };
    }, original.parentId === null ? content : undefined);
  }

  /** Generates more of a reply, appended to the same message. */
  continue(conversationId: number, messageId: number): Promise<{ assistantMessage: Message }> {
    const reply = this.history.store.messageIn(conversationId, messageId);
    if (reply.role !== 'assistant') throw new ApiError('VALIDATION', 'Only a reply can be continued.');
    if (reply.content === '') throw new ApiError('VALIDATION', 'This reply has no text to continue; regenerate it instead.');
    return this.start(conversationId, (store) => {
      store.selectBranch(conversationId, messageId);
      return { assistantMessage: store.beginContinuation(messageId) };
    });
  }

  /** The conversation's prompt on the loaded model, as the next reply would see it (with `draft` as the next message). */
  context(conversationId: number, draft?: string): ContextReport {
    const store = this.history.store;
    const conversation = store.getConversation(conversationId);
    const session = this.engine.loaded;
    const wanted = conversation.modelPath;
    if (!session || (wanted !== null && wanted !== session.info.name)) {
      throw new ApiError('NO_MODEL', `Load ${wanted ?? 'a model'} to count this conversation's tokens.`);
    }
    const settings = conversation.settings;
    const turns = turnsOf(store.listMessages(conversationId));
    if (draft?.trim()) turns.push({ role: 'user', content: draft });
    const format = chosenPromptFormat(session.format, settings.chatTemplate);
    const contextSize = session.info.contextSize;
    let fitted = { tokens: promptTokens(session.model, format, conversation.systemPrompt, turns), droppedTurns: 0 };
    try {
      fitted = fitPrompt(session.model, format, { systemPrompt: conversation.systemPrompt, turns, settings }, contextSize);
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'CONTEXT_FULL')) throw error;
    }
    return {
      model: session.info.name,
      template: format.name,
      promptTokens: fitted.tokens.length,
      contextSize,
      remainingTokens: Math.max(0, contextSize - fitted.tokens.length),
      reserveTokens: replyReserve(settings, contextSize),
      policy: settings.contextOverflow,
      droppedTurns: fitted.droppedTurns,
      promptText: session.model.detokenize(fitted.tokens, true)
    };
  }

  selectBranch(conversationId: number, messageId: number) {
    const messages = this.history.store.selectBranch(conversationId, messageId);
    this.events.emit('conversations.changed', { id: conversationId });
    return { conversation: this.history.store.getConversation(conversationId), messages };
  }

  deleteMessage(conversationId: number, messageId: number) {
    if (this.replying && this.engine.status().generatingConversationId === conversationId) {
      throw new ApiError('BUSY', 'A reply is being generated in this conversation; stop it before deleting messages.');
    }
    const messages = this.history.store.deleteMessage(conversationId, messageId);
    this.events.emit('conversations.changed', { id: conversationId });
    return { conversation: this.history.store.getConversation(conversationId), messages };
  }

  stop(conversationId: number): boolean {
    if (this.remoteReply?.conversationId === conversationId) {
      this.remoteReply.controller.abort();
      return true;
    }
    return this.engine.stop(conversationId);
  }

  /** Stops any reply and waits until what it produced is stored. */
  async shutdown(): Promise<void> {
    this.remoteReply?.controller.abort();
    this.engine.stop();
    await this.current;
  }

  /**
   * Loads the conversation's model, stores the new messages (`write`), and starts the reply into the
   * assistant message it returns. `titleText` names a conversation still called "New chat".
   */
  private async start<T extends { assistantMessage: Message }>(
    conversationId: number,
    write: (store: History['store']) => T,
    titleText?: string
  ): Promise<T> {
    const store = this.history.store;
    const conversation = store.getConversation(conversationId);
    const modelName = conversation.modelPath ?? this.engine.loaded?.info.name;
    if (!modelName) throw new ApiError('NO_MODEL', 'Pick a model for this conversation first.');
    if (this.replying) throw new ApiError('BUSY', 'A reply is already being generated; wait for it or stop it.');
    this.replying = true;
    try {
      const remote = parseRemoteModelName(modelName);
      let format: string;
      if (remote) {
        const engine = this.history.remotes.get(remote.engineId);
        requireRemoteModel(engine, remote.model);
        format = remoteTemplateName(engine.name);
      } else {
        await this.loader.load({ name: modelName, ...(conversation.settings.contextSize === null ? {} : { contextSize: conversation.settings.contextSize }) });
        format = chosenPromptFormat(this.engine.loaded!.format, conversation.settings.chatTemplate).name;
      }
      const written = this.history.db.transaction(() => write(store))();
      store.updateConversation(conversationId, {
        modelPath: modelName,
        chatTemplate: format,
        ...(titleText !== undefined && conversation.title === defaultConversationTitle ? { title: titleFrom(titleText) } : {})
      });
      this.events.emit('conversations.changed', { id: conversationId });
      this.current = this.reply(conversationId, written.assistantMessage);
      return written;
    } catch (error) {
      this.replying = false;
      throw error;
    }
  }

  private async reply(conversationId: number, message: Message): Promise<void> {
    let finished: Message;
    try {
      finished = await this.generateInto(conversationId, message);
    } finally {
      // Free before announcing the end, so a client may send its next message as soon as it hears it.
      this.replying = false;
    }
    this.events.emit('chat.end', { conversationId, message: finished });
  }

  /**
   * Generates into the stored message (after any text it already has, when continuing); whatever
   * happens, the message ends complete or error, and text already there is kept.
   */
  private async generateInto(conversationId: number, message: Message): Promise<Message> {
    const store = this.history.store;
    const earlier = message.content;
    let text = earlier;
    let flushTimer: NodeJS.Timeout | null = null;
    const flush = () => {
      flushTimer = null;
      store.updateMessageContent(message.id, text);
    };
    let unsent = '';
    let unsentTokens = 0;
    let sentAny = false;
    let sendTimer: NodeJS.Timeout | null = null;
    const send = () => {
      sendTimer = null;
      if (unsent === '') return;
      this.events.emit('chat.delta', { conversationId, messageId: message.id, delta: unsent, outputTokens: unsentTokens });
      unsent = '';
      sentAny = true;
    };
    try {
      const conversation = store.getConversation(conversationId);
      const branch = store.branchTo(conversationId, message.id);
      const turns = turnsOf(earlier === '' ? branch.slice(0, -1) : branch);
      const onDelta = (delta: string, outputTokens: number) => {
        text += delta;
        unsent += delta;
        unsentTokens = outputTokens;
        // The first text goes at once (time to first token is what people feel); the rest in small batches.
        if (!sentAny) send();
        else sendTimer ??= setTimeout(send, deltaIntervalMs);
        flushTimer ??= setTimeout(flush, streamingWriteIntervalMs);
      };
      const remote = conversation.modelPath ? parseRemoteModelName(conversation.modelPath) : null;
      if (remote) {
        const controller = new AbortController();
        this.remoteReply = { conversationId, controller };
        try {
          const reply = await remoteChat(
            this.outbound,
            this.remotes.target(remote.engineId),
            { model: remote.model, systemPrompt: conversation.systemPrompt, turns, settings: conversation.settings, onDelta },
            controller.signal
          );
          return store.finishMessage(message.id, earlier + reply.text, 'complete', null, reply.metrics);
        } finally {
          this.remoteReply = null;
        }
      }
      const drafting = await this.loader.resolveDrafting(conversation.settings.drafting);
      const reply = await this.engine.run(
        conversationId,
        (session, signal) =>
          generateReply(
            session,
            {
              systemPrompt: conversation.systemPrompt,
              turns,
              settings: conversation.settings,
              onDelta
            },
            signal
          ),
        drafting
      );
      this.loader.settle();
      return store.finishMessage(message.id, earlier + reply.text, 'complete', null, reply.metrics);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      // A failed continuation keeps the reply it was continuing (and its metrics); a new reply records why it failed.
      return store.finishMessage(message.id, text, earlier === '' ? 'error' : 'interrupted', reason, null);
    } finally {
      if (flushTimer) clearTimeout(flushTimer);
      if (sendTimer) clearTimeout(sendTimer);
      // What is still held goes out before the reply's end is announced.
      send();
    }
  }
}
