import { ApiError, type EventBus, type Message } from '../api';
import { defaultConversationTitle, type History } from '../history';
import { generateReply, type InferenceEngine, type Turn } from '../inference';
import { resolveModelFile } from '../models';

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
    private readonly events: EventBus,
    private readonly modelsDir: string
  ) {}

  async send(conversationId: number, content: string): Promise<{ userMessage: Message; assistantMessage: Message }> {
    const store = this.history.store;
    const conversation = store.getConversation(conversationId);
    const modelName = conversation.modelPath ?? this.engine.loaded?.info.name;
    if (!modelName) throw new ApiError('NO_MODEL', 'Pick a model for this conversation first.');
    if (this.replying) throw new ApiError('BUSY', 'A reply is already being generated; wait for it or stop it.');
    this.replying = true;
    try {
      await this.engine.load(await resolveModelFile(this.modelsDir, modelName), modelName);
      const format = this.engine.loaded!.format.name;
      const userMessage = store.addMessage(conversationId, { role: 'user', content, status: 'complete' });
      const assistantMessage = store.addMessage(conversationId, { role: 'assistant', content: '', status: 'streaming' });
      store.updateConversation(conversationId, {
        modelPath: modelName,
        chatTemplate: format,
        ...(conversation.title === defaultConversationTitle ? { title: titleFrom(content) } : {})
      });
      this.events.emit('conversations.changed', { id: conversationId });
      this.current = this.reply(conversationId, assistantMessage.id).finally(() => (this.replying = false));
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
    const store = this.history.store;
    let text = '';
    let flushTimer: NodeJS.Timeout | null = null;
    const flush = () => {
      flushTimer = null;
      store.updateMessageContent(messageId, text);
    };
    let finished: Message;
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
      if (flushTimer) clearTimeout(flushTimer);
      finished = store.finishMessage(messageId, reply.text, 'complete', null, reply.metrics);
    } catch (error) {
      if (flushTimer) clearTimeout(flushTimer);
      const message = error instanceof Error ? error.message : String(error);
      finished = store.finishMessage(messageId, text, 'error', message, null);
    }
    this.events.emit('chat.end', { conversationId, message: finished });
  }
}
