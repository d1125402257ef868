import { ApiError, type EventBus, type Message } from '../api';
import { defaultConversationTitle, type History } from '../history';
import { generateReply, type InferenceEngine, type Turn } from '../inference';
import type { ModelLoader } from './loader';

/** How long streamed text may sit in memory before it is written: a crash loses at most this much. */
export const streamingWriteIntervalMs = 250;

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

/** Sends a message and streams the reply into history and onto the event bus. */
export class ChatService {
  private replying = false;
  private current: Promise<void> = Promise.resolve();

  constructor(
    private readonly history: History,
    private readonly engine: InferenceEngine,
    private readonly loader: ModelLoader,
    private readonly events: EventBus
  ) {}

  async send(conversationId: number, content: string): Promise<{ userMessage: Message; assistantMessage: Message }> {
    const store = this.history.store;
    const conversation = store.getConversation(conversationId);
    const modelName = conversation.modelPath ?? this.engine.loaded?.info.name;
    if (!modelName) throw new ApiError('NO_MODEL', 'Pick a model for this conversation first.');
    if (this.replying) throw new ApiError('BUSY', 'A reply is already being generated; wait for it or stop it.');
    this.replying = true;
    try {
      await this.loader.load({ name: modelName });
      const format = this.engine.loaded!.format.name;
      const userMessage = store.addMessage(conversationId, { role: 'user', content, status: 'complete' });
      const assistantMessage = store.addMessage(conversationId, { role: 'assistant', content: '', status: 'streaming' });
      store.updateConversation(conversationId, {
        modelPath: modelName,
        chatTemplate: format,
        ...(conversation.title === defaultConversationTitle ? { title: titleFrom(content) } : {})
      });
      this.events.emit('conversations.changed', { id: conversationId });
      this.current = this.reply(conversationId, assistantMessage.id);
      return { userMessage, assistantMessage };
    } catch (error) {
      this.replying = false;
      throw error;
    }
  }

  stop(conversationId: number): boolean {
    return this.engine.stop(conversationId);
  }

  /** Stops any reply and waits until what it produced is stored. */
  async shutdown(): Promise<void> {
    this.engine.stop();
    await this.current;
  }

  private async reply(conversationId: number, messageId: number): Promise<void> {
    let finished: Message;
    try {
      finished = await this.generateInto(conversationId, messageId);
    } finally {
      // Free before announcing the end, so a client may send its next message as soon as it hears it.
      this.replying = false;
    }
    this.events.emit('chat.end', { conversationId, message: finished });
  }

  /** Generates the reply into its stored message; whatever happens, the message ends complete or error. */
  private async generateInto(conversationId: number, messageId: number): Promise<Message> {
    const store = this.history.store;
    let text = '';
    let flushTimer: NodeJS.Timeout | null = null;
    const flush = () => {
      flushTimer = null;
      store.updateMessageContent(messageId, text);
    };
    try {
      const conversation = store.getConversation(conversationId);
      const turns = turnsOf(store.listMessages(conversationId).filter((message) => message.id !== messageId));
      const reply = await this.engine.run(conversationId, (session, signal) =>
        generateReply(
          session,
          {
            systemPrompt: conversation.systemPrompt,
            turns,
            settings: conversation.settings,
            onDelta: (delta, outputTokens) => {
              text += delta;
              this.events.emit('chat.delta', { conversationId, messageId, delta, outputTokens });
              flushTimer ??= setTimeout(flush, streamingWriteIntervalMs);
            }
          },
          signal
        )
      );
      this.loader.settle();
      return store.finishMessage(messageId, reply.text, 'complete', null, reply.metrics);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return store.finishMessage(messageId, text, 'error', message, null);
    } finally {
      if (flushTimer) clearTimeout(flushTimer);
    }
  }
}
