import {
  ApiError,
  exportedConversationSchema,
  exportFormatVersion,
  type ConversationWithMessages,
  type ExportedConversation,
  type ExportedFile,
  type ReplyRecord
} from '../api';
import type { ConversationStore } from './conversations';
import type { Db } from './db';
import type { MessageStore } from './messages';

function fileStem(title: string): string {
  return title.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 80).toLowerCase() || 'conversation';
}

/** `messages` are all of the conversation's, oldest first; `shownId` ends the branch on show. */
export function exportJson({ conversation, messages }: ConversationWithMessages, shownId: number | null): ExportedFile {
  const indexOf = new Map(messages.map((message, index) => [message.id, index]));
  const exported: ExportedConversation = {
    format: 'hearth.conversation',
    version: exportFormatVersion,
    conversation: {
      title: conversation.title,
      model: conversation.model,
      systemPrompt: conversation.systemPrompt,
      settings: conversation.settings,
      chatTemplate: conversation.chatTemplate,
      pinned: conversation.pinned,
      createdAt: conversation.createdAt,
      updatedAt: conversation.updatedAt,
      shown: shownId === null ? null : (indexOf.get(shownId) ?? null)
    },
    messages: messages.map((message) => ({
      role: message.role,
      content: message.content,
      status: message.status,
      error: message.error,
      createdAt: message.createdAt,
      updatedAt: message.updatedAt,
      metrics: message.metrics,
      parent: message.parentId === null ? null : (indexOf.get(message.parentId) ?? null)
    }))
  };
  return { filename: `${fileStem(conversation.title)}.json`, mimeType: 'application/json', content: JSON.stringify(exported, null, 2) };
}

export function exportMarkdown({ conversation, messages }: ConversationWithMessages): ExportedFile {
  const lines = [`# ${conversation.title}`, ''];
  if (conversation.model) lines.push(`Model: ${conversation.model}`, '');
  if (conversation.systemPrompt) lines.push('## System', '', conversation.systemPrompt, '');
  for (const message of messages) {
    const heading = message.role === 'user' ? 'You' : message.role === 'assistant' ? 'Assistant' : 'System';
    const note = message.status === 'complete' ? '' : ` (${message.status})`;
    lines.push(`## ${heading}${note}`, '', message.content, '');
  }
  return { filename: `${fileStem(conversation.title)}.md`, mimeType: 'text/markdown', content: lines.join('\n') };
}

/** Imports Hearth's JSON export as a new conversation, all or nothing. */
export function importJson(db: Db, conversations: ConversationStore, messages: MessageStore, content: string) {
  let data: unknown;
  try {
    data = JSON.parse(content);
  } catch (error) {
    throw new ApiError('IMPORT_INVALID', `The file is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = exportedConversationSchema.safeParse(data);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new ApiError('IMPORT_INVALID', `Not a Hearth conversation export: ${first.path.join('.') || '(file)'}: ${first.message}`);
  }
  const { conversation, messages: exported } = parsed.data;
  const badParent = exported.findIndex((message, index) => message.parent != null && message.parent >= index);
  if (badParent >= 0) throw new ApiError('IMPORT_INVALID', `Not a Hearth conversation export: messages.${badParent}.parent must point to an earlier message.`);
  if (conversation.shown != null && conversation.shown >= exported.length) throw new ApiError('IMPORT_INVALID', 'Not a Hearth conversation export: conversation.shown points past the last message.');
  return db.transaction(() => {
    const { shown, ...fields } = conversation;
    const created = conversations.create({ ...fields, chatTemplate: conversation.chatTemplate ?? null });
    const ids: number[] = [];
    for (const [index, { parent, metrics, ...message }] of exported.entries()) {
      // A reply that was streaming when exported can no longer finish.
      const status = message.status === 'streaming' ? 'interrupted' : message.status;
      const parentId = parent === undefined ? (index > 0 ? ids[index - 1] : null) : parent === null ? null : ids[parent];
      const stored = messages.add(created.id, { ...message, status }, parentId);
      ids.push(stored.id);
      if (metrics) messages.saveMetrics(stored.id, metrics);
    }
    if (shown != null) messages.select(created.id, ids[shown]);
    return conversations.get(created.id);
  })();
}

const csvColumns: [string, (record: ReplyRecord) => string | number | null][] = [
  ['time', (r) => new Date(r.createdAt).toISOString()],
  ['conversation', (r) => r.conversationTitle],
  ['model', (r) => r.metrics.model],
  ['quantization', (r) => r.metrics.quantization],
  ['context_size', (r) => r.metrics.contextSize],
  ['threads', (r) => r.metrics.threads],
  ['gpu_layers', (r) => r.metrics.gpuLayers],
  ['prompt_tokens', (r) => r.metrics.promptTokens],
  ['prefill_tokens', (r) => r.metrics.prefillTokens],
  ['output_tokens', (r) => r.metrics.outputTokens],
  ['ttft_ms', (r) => r.metrics.ttftMs],
  ['prefill_tokens_per_second', (r) => r.metrics.prefillTokensPerSecond],
  ['decode_tokens_per_second', (r) => r.metrics.decodeTokensPerSecond],
  ['inter_token_p50_ms', (r) => r.metrics.interTokenP50Ms],
  ['inter_token_p95_ms', (r) => r.metrics.interTokenP95Ms],
  ['total_ms', (r) => r.metrics.totalMs],
  ['stop_reason', (r) => r.metrics.stopReason],
  ['temperature', (r) => r.metrics.settings.temperature]
];

function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The dashboard's rows as CSV, one reply per line. */
export function exportRepliesCsv(records: ReplyRecord[]): ExportedFile {
  const lines = [csvColumns.map(([name]) => name).join(',')];
  for (const record of records) lines.push(csvColumns.map(([, value]) => csvField(value(record))).join(','));
  return { filename: 'hearth-replies.csv', mimeType: 'text/csv', content: `${lines.join('\r\n')}\r\n` };
}
