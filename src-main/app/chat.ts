import { ApiError, errorMessageOf, parseRemoteModelName, type ContextReport, type ConversationWithMessages, type EventBus, type GenerationSettings, type Message, type MessageMetrics, type MessageSource, type MessageStatus } from '../api';
import { estimateTokens, withDocuments, type DocumentContext } from '../documents';
import type { History, ReplyStart, ReplyText } from '../history';
import { fitPrompt, promptTokens, replyFormat, replyReserve, type InferenceEngine, type Reply, type Turn } from '../inference';
import { ActiveReplies, type ActiveReply } from './activeReplies';
import type { PreparedReply, ReplyBackend } from './backends';
import { ReplyStream } from './replyStream';
import { UnsavedReplies, unsavedError } from './unsaved';

const titleLength = 60;

export function titleFrom(content: string): string {
  const line = content.replace(/\s+/g, ' ').trim();
  return line.length <= titleLength ? line : `${line.slice(0, titleLength - 1).trimEnd()}…`;
}

/**
 * The turns a reply is generated from: what the user and the model said, failed replies left out.
 * Earlier replies' thoughts are not sent back: reasoning models' templates drop them too (Qwen3 keeps
 * only the current reply's), and they would fill the context with what the user never read.
 */
export function turnsOf(messages: Message[]): Turn[] {
  return messages
    .filter((message) => message.role !== 'system' && message.status !== 'error' && message.content !== '')
    .map((message) => ({ role: message.role as Turn['role'], content: message.content }));
}

/**
 * The reply being continued, as its turn: its answer so far, after its thought. A reply without an
 * answer was cut while thinking, so its thought is open and the model thinks on.
 */
export function continuedTurn(reply: Pick<Message, 'content' | 'thought'>): Turn {
  return { role: 'assistant', content: reply.content, ...(reply.thought ? { thought: { text: reply.thought, ended: reply.content !== '' } } : {}) };
}

/** Where replies get the text of the documents their conversation reads (the DocumentService). */
export interface ReplyDocuments {
  /** The document block for `question` within `budgetTokens`, with its sources; null when the conversation reads none. */
  contextFor(conversationId: number, question: string, budgetTokens: number, countTokens: (text: string) => number): Promise<DocumentContext | null>;
  /** The most tokens of document text a prompt gets (Settings → Documents). */
  settings(): { contextTokens: number };
}

export interface ChatBackends {
  local: ReplyBackend;
  remote: ReplyBackend;
}

/**
 * The chat's replies: each is accepted, prepared on its backend (local or remote), written into history
 * and streamed to clients. A conversation is busy from the moment a reply is accepted until its message
 * is finished, and everything that would change what the reply writes into asks `ActiveReplies` first.
 * A regenerated reply or an edited message becomes a sibling in the conversation's tree; nothing
 * earlier is overwritten.
 */
export class ChatService {
  private readonly active = new ActiveReplies();
  private readonly unsaved: UnsavedReplies;

  constructor(
    private readonly history: History,
    private readonly engine: InferenceEngine,
    private readonly backends: ChatBackends,
    private readonly events: EventBus,
    private readonly documents: ReplyDocuments | null = null
  ) {
    this.unsaved = new UnsavedReplies(
      (reply) => history.messages.finish(reply.messageId, reply),
      (message) => events.emit('chat.end', { conversationId: message.conversationId, message })
    );
  }

  send(conversationId: number, content: string): Promise<{ userMessage: Message; assistantMessage: Message }> {
    return this.start(conversationId, { kind: 'send', content }, content).then(withUserMessage);
  }

  /** A new reply beside `messageId`'s, to the same user message. */
  regenerate(conversationId: number, messageId: number): Promise<{ assistantMessage: Message }> {
    const previous = this.history.messages.in(conversationId, messageId);
    if (previous.role !== 'assistant') throw new ApiError('VALIDATION', 'Only a reply can be regenerated; edit a message of yours instead.');
    return this.start(conversationId, { kind: 'regenerate', messageId });
  }

  /** Sends an edited copy of a user message as a new branch from the same point. */
  edit(conversationId: number, messageId: number, content: string): Promise<{ userMessage: Message; assistantMessage: Message }> {
    const original = this.history.messages.in(conversationId, messageId);
    if (original.role !== 'user') throw new ApiError('VALIDATION', 'Only your own messages can be edited; regenerate a reply instead.');
    return this.start(conversationId, { kind: 'edit', messageId, content }, original.parentId === null ? content : null).then(withUserMessage);
  }

  /** Generates more of a reply, appended to the same message: more answer, or more thought for a reply cut while thinking. */
  continue(conversationId: number, messageId: number): Promise<{ assistantMessage: Message }> {
    const reply = this.history.messages.in(conversationId, messageId);
    if (reply.role !== 'assistant') throw new ApiError('VALIDATION', 'Only a reply can be continued.');
    if (reply.content === '' && reply.thought === '') throw new ApiError('VALIDATION', 'This reply has no text to continue; regenerate it instead.');
    return this.start(conversationId, { kind: 'continue', messageId });
  }

  /** The conversation with the branch on show, a reply whose final write failed shown with its kept text. */
  conversation(id: number): ConversationWithMessages {
    const { conversation, messages } = this.history.conversationWithMessages(id);
    return { conversation, messages: this.unsaved.overlay(messages) };
  }

  /** The conversation's prompt on the loaded model, as the next reply would see it (with `draft` as the next message). */
  async context(conversationId: number, draft?: string): Promise<ContextReport> {
    const conversation = this.history.conversations.get(conversationId);
    const session = this.engine.loaded;
    const wanted = conversation.model;
    if (!session || (wanted !== null && wanted !== session.info.name)) {
      throw new ApiError('NO_MODEL', `Load ${wanted ?? 'a model'} to count this conversation's tokens.`);
    }
    const settings = conversation.settings;
    const spoken = turnsOf(this.history.messages.list(conversationId));
    if (draft?.trim()) spoken.push({ role: 'user', content: draft });
    const { turns, sources } = await this.withDocuments(conversationId, spoken, settings, wanted ?? session.info.name);
    const format = replyFormat(session, { settings });
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
      promptText: session.model.detokenize(fitted.tokens, true),
      ...(sources.length > 0 ? { sources } : {})
    };
  }

  /**
   * The turns with the document text the conversation reads put before its latest question (the last user
   * turn), and that text's sources. It stays a user turn's plain text, so special tokens in a document
   * (`<|im_end|>`, `</s>`) are tokenized as the characters they are, never as control tokens. The budget
   * is the setting, at most half the context; tokens are the local model's, estimated for a remote one.
   */
  private async withDocuments(conversationId: number, turns: Turn[], settings: GenerationSettings, model: string): Promise<{ turns: Turn[]; sources: MessageSource[]; retrievalMs?: number }> {
    const index = turns.findLastIndex((turn) => turn.role === 'user');
    if (!this.documents || index < 0) return { turns, sources: [] };
    const startedAt = performance.now();
    const session = parseRemoteModelName(model) ? null : this.engine.loaded;
    const countTokens = session ? (text: string) => session.model.tokenize(text, false).length : estimateTokens;
    const contextSize = session?.info.contextSize ?? settings.contextSize ?? 4096;
    const budget = Math.min(this.documents.settings().contextTokens, Math.floor(contextSize / 2));
    const context = await this.documents.contextFor(conversationId, turns[index].content, budget, countTokens);
    if (!context) return { turns, sources: [] };
    const augmented = [...turns];
    augmented[index] = { ...turns[index], content: withDocuments(turns[index].content, context) };
    return { turns: augmented, sources: context.sources, retrievalMs: performance.now() - startedAt };
  }

  selectBranch(conversationId: number, messageId: number): ConversationWithMessages {
    const messages = this.history.messages.select(conversationId, messageId);
    return this.changed(conversationId, messages);
  }

  deleteMessage(conversationId: number, messageId: number): ConversationWithMessages {
    this.active.requireIdle(conversationId, 'stop it before deleting messages');
    const messages = this.history.messages.delete(conversationId, messageId);
    return this.changed(conversationId, messages);
  }

  /** Stops the conversation's reply, at whatever stage it is; true when there was one. */
  stop(conversationId: number): boolean {
    return this.active.stop(conversationId);
  }

  /** Stops every reply and waits until what they produced is stored (or kept, if the disk refused it). */
  async shutdown(): Promise<void> {
    await this.active.stopAll();
    this.unsaved.close();
  }

  /**
   * Accepts the reply (the conversation is busy from here), prepares its model, writes the messages it
   * starts with (`start`) and streams the reply into its message. `titleText` names a conversation still
   * called "New chat" when the messages are written.
   */
  private async start(conversationId: number, start: ReplyStart, titleText: string | null = null): Promise<{ userMessage: Message | null; assistantMessage: Message }> {
    const conversation = this.history.conversations.get(conversationId);
    const model = conversation.model ?? this.engine.loaded?.info.name;
    if (!model) throw new ApiError('NO_MODEL', 'Pick a model for this conversation first.');
    const reply = this.active.begin(conversationId);
    try {
      const backend = parseRemoteModelName(model) ? this.backends.remote : this.backends.local;
      const prepared = await backend.prepare(model, conversation.settings, conversationId);
      // A conversation deleted meanwhile is NOT_FOUND here, and nothing is written.
      const started = this.history.startReply(conversationId, start, { model, template: prepared.template, title: titleText === null ? null : titleFrom(titleText) });
      this.events.emit('conversations.changed', { conversation: started.conversation });
      void this.stream(reply, started.assistantMessage, prepared, model);
      return { userMessage: started.userMessage, assistantMessage: started.assistantMessage };
    } catch (error) {
      this.active.end(reply);
      throw error;
    }
  }

  /**
   * Generates into the stored message (after any text it already has, when continuing). Whatever
   * happens, the message ends complete, interrupted or error, text already there is kept, and the
   * conversation is free again; nothing here can throw.
   */
  private async stream(reply: ActiveReply, message: Message, prepared: PreparedReply, model: string): Promise<void> {
    const earlier: ReplyText = { content: message.content, thought: message.thought };
    const continuing = earlier.content !== '' || earlier.thought !== '';
    const stopped = new AbortController();
    const signal = AbortSignal.any([reply.signal, stopped.signal]);
    let writeFailure: unknown = null;
    const stream = new ReplyStream(earlier, {
      send: (delta, outputTokens, segment) => this.events.emit('chat.delta', { conversationId: reply.conversationId, messageId: message.id, segment, delta, outputTokens }),
      write: (text) => this.history.messages.updateContent(message.id, text),
      giveUp: (error) => {
        writeFailure = error;
        stopped.abort();
      }
    });
    let outcome: { status: MessageStatus; error: string | null; metrics: MessageMetrics | null };
    let sources: MessageSource[] = [];
    try {
      const conversation = this.history.conversations.get(reply.conversationId);
      const branch = this.history.messages.branchTo(reply.conversationId, message.id);
      const read = await this.withDocuments(reply.conversationId, [...turnsOf(branch.slice(0, -1)), ...(continuing ? [continuedTurn(message)] : [])], conversation.settings, model);
      const turns = read.turns;
      sources = read.sources;
      const retrieval = read.retrievalMs === undefined ? {} : { retrievalMs: read.retrievalMs };
      const generated: Reply = await prepared.generate(
        { systemPrompt: conversation.systemPrompt, turns, settings: conversation.settings, onDelta: (delta, outputTokens, segment) => stream.append(delta, outputTokens, segment) },
        signal
      );
      stream.text = { content: earlier.content + generated.text, thought: earlier.thought + generated.thought };
      const metrics = { ...generated.metrics, ...retrieval };
      outcome = writeFailure ? { status: 'error', error: `Stopped: the reply could not be saved (${errorMessageOf(writeFailure)}).`, metrics } : { status: 'complete', error: null, metrics };
    } catch (error) {
      // Stopped before anything was generated (a stop during the model's load), or failed.
      outcome = signal.aborted && !writeFailure
        ? { status: 'interrupted', error: null, metrics: null }
        : { status: continuing ? 'interrupted' : 'error', error: errorMessageOf(writeFailure ?? error), metrics: null };
    } finally {
      stream.close();
    }
    this.finish(reply, message, stream.text, { ...outcome, sources });
  }

  /** Stores the reply's end and announces it; a write the history refuses keeps the reply in memory instead. */
  private finish(reply: ActiveReply, message: Message, text: ReplyText, outcome: { status: MessageStatus; error: string | null; metrics: MessageMetrics | null; sources: MessageSource[] }): void {
    let finished: Message | null;
    try {
      finished = this.history.messages.finish(message.id, { ...text, ...outcome });
    } catch (error) {
      const kept = { messageId: message.id, conversationId: reply.conversationId, ...text, ...outcome };
      this.unsaved.keep(kept);
      finished = { ...message, ...text, status: 'error', error: unsavedError(kept, errorMessageOf(error)), metrics: outcome.metrics };
      console.error(`[hearth] reply ${message.id} could not be saved; kept in memory: ${errorMessageOf(error)}`);
    } finally {
      // Free before announcing the end, so a client may send its next message as soon as it hears it.
      this.active.end(reply);
    }
    if (finished) this.events.emit('chat.end', { conversationId: reply.conversationId, message: finished });
    else console.error(`[hearth] reply ${message.id} ended after its message was deleted; nothing was stored.`);
  }

  private changed(conversationId: number, messages: Message[]): ConversationWithMessages {
    const conversation = this.history.conversations.get(conversationId);
    this.events.emit('conversations.changed', { conversation });
    return { conversation, messages: this.unsaved.overlay(messages) };
  }
}

function withUserMessage(started: { userMessage: Message | null; assistantMessage: Message }): { userMessage: Message; assistantMessage: Message } {
  return { userMessage: started.userMessage!, assistantMessage: started.assistantMessage };
}
