import type { Conversation, GenerationSettings, Message, MessageMetrics } from '../api';
import { defaultConversationTitle, type ConversationStore } from './conversations';
import type { Db } from './db';
import type { MessageStore } from './messages';

/** How a reply starts: after a new message, beside an edited one, as an alternative, or continuing its own text. */
export type ReplyStart =
  | { kind: 'send'; content: string }
  | { kind: 'edit'; messageId: number; content: string }
  | { kind: 'regenerate'; messageId: number }
  | { kind: 'continue'; messageId: number };

export interface StartedReply {
  conversation: Conversation;
  /** The new user message (send and edit). */
  userMessage: Message | null;
  /** The reply, status `streaming`. */
  assistantMessage: Message;
}

export interface ReplyFacts {
  model: string;
  /** The prompt format's name, recorded on the conversation. */
  template: string;
  /** The automatic title, used only while the conversation is still called "New chat" at this moment. */
  title: string | null;
}

/**
 * Writes the messages a reply starts with, in one transaction: NOT_FOUND (and nothing written) when the
 * conversation went to the trash meanwhile; a title the user gave meanwhile is kept.
 */
export function startReply(db: Db, conversations: ConversationStore, messages: MessageStore, conversationId: number, start: ReplyStart, facts: ReplyFacts): StartedReply {
  return db.transaction(() => {
    const current = conversations.get(conversationId);
    const reply = (parentId: number | null) => messages.add(conversationId, { role: 'assistant', content: '', status: 'streaming' }, parentId);
    let userMessage: Message | null = null;
    let assistantMessage: Message;
    if (start.kind === 'send' || start.kind === 'edit') {
      const parentId = start.kind === 'send' ? messages.leafOf(conversationId) : messages.in(conversationId, start.messageId).parentId;
      userMessage = messages.add(conversationId, { role: 'user', content: start.content, status: 'complete' }, parentId);
      assistantMessage = reply(userMessage.id);
    } else if (start.kind === 'regenerate') {
      assistantMessage = reply(messages.in(conversationId, start.messageId).parentId);
    } else {
      messages.select(conversationId, start.messageId);
      assistantMessage = messages.beginContinuation(start.messageId);
    }
    const conversation = conversations.update(conversationId, {
      model: facts.model,
      chatTemplate: facts.template,
      ...(facts.title !== null && current.title === defaultConversationTitle ? { title: facts.title } : {})
    });
    return { conversation, userMessage, assistantMessage };
  })();
}

/** An OpenAI API chat kept as a conversation (when the user asks for API chats in the history). */
export interface ApiChat {
  title: string;
  model: string;
  systemPrompt: string;
  settings: GenerationSettings;
  turns: { role: 'user' | 'assistant'; content: string }[];
  reply: { content: string; thought: string; metrics: MessageMetrics };
}

export function recordApiChat(db: Db, conversations: ConversationStore, messages: MessageStore, chat: ApiChat): Conversation {
  return db.transaction(() => {
    const conversation = conversations.create({ title: chat.title, model: chat.model, systemPrompt: chat.systemPrompt, settings: chat.settings });
    for (const turn of chat.turns) messages.add(conversation.id, { role: turn.role, content: turn.content, status: 'complete' });
    const reply = messages.add(conversation.id, { role: 'assistant', content: '', status: 'streaming' });
    messages.finish(reply.id, { ...chat.reply, status: 'complete', error: null });
    return conversations.get(conversation.id);
  })();
}
