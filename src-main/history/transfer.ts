import { z } from 'zod';
import {
  ApiError,
  exportedConversationHeaderSchema,
  exportedMessageSchema,
  exportFormatVersion,
  type Conversation,
  type ConversationWithMessages,
  type ExportedConversation,
  type ExportedFile,
  type ReplyRecord
} from '../api';

type ExportedMessage = z.infer<typeof exportedMessageSchema>;
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
      ...(message.thought ? { thought: message.thought } : {}),
      status: message.status,
      error: message.error,
      createdAt: message.createdAt,
      updatedAt: message.updatedAt,
      metrics: message.metrics,
      ...(message.sources ? { sources: message.sources } : {}),
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
    lines.push(`## ${heading}${note}`, '');
    // A reasoning model's thought comes first, quoted under its own label, so it never reads as the answer.
    if (message.thought) lines.push('> **Thinking**', '>', ...message.thought.split('\n').map((line) => (line ? `> ${line}` : '>')), '');
    lines.push(message.content, '');
  }
  return { filename: `${fileStem(conversation.title)}.md`, mimeType: 'text/markdown', content: lines.join('\n') };
}

/** Work done between yields: other requests wait at most about this long behind an import. */
const importSliceMs = 8;

function importInvalid(path: string, message: string): ApiError {
  return new ApiError('IMPORT_INVALID', `Not a Hearth conversation export: ${path}: ${message}`);
}

/** Resolves on the next turn of the event loop, after the I/O that waited meanwhile. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs `step` over every item, yielding to the event loop every `importSliceMs`: a large file never
 * holds the server for longer than one slice.
 */
async function inSlices<T>(items: T[], step: (item: T, index: number) => void): Promise<void> {
  let sliceStart = performance.now();
  for (let index = 0; index < items.length; index++) {
    step(items[index], index);
    if (performance.now() - sliceStart > importSliceMs) {
      await nextTurn();
      sliceStart = performance.now();
    }
  }
}

/**
 * Imports Hearth's JSON export as a new conversation, all or nothing, without blocking the server:
 * messages are checked and written in slices of a few milliseconds, into a conversation staged in the
 * trash (invisible to lists and search), which is published in one step at the end. A failure deletes
 * it; a crash leaves it in the trash, which the next start empties.
 */
export async function importJson(db: Db, conversations: ConversationStore, messages: MessageStore, content: string): Promise<Conversation> {
  let data: unknown;
  try {
    data = JSON.parse(content);
  } catch (error) {
    throw new ApiError('IMPORT_INVALID', `The file is not valid JSON: ${(error as Error).message}`);
  }
  const header = exportedConversationHeaderSchema.safeParse(data);
  if (!header.success) {
    const first = header.error.issues[0];
    throw importInvalid(first.path.join('.') || '(file)', first.message);
  }
  const { conversation } = header.data;
  const exported: ExportedMessage[] = [];
  await inSlices(header.data.messages, (raw, index) => {
    const parsed = exportedMessageSchema.safeParse(raw);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw importInvalid(['messages', index, ...first.path].join('.'), first.message);
    }
    if (parsed.data.parent != null && parsed.data.parent >= index) throw importInvalid(`messages.${index}.parent`, 'must point to an earlier message.');
    exported.push(parsed.data);
  });
  if (conversation.shown != null && conversation.shown >= exported.length) throw importInvalid('conversation.shown', 'points past the last message.');

  const { shown, ...fields } = conversation;
  const staged = conversations.create({ ...fields, chatTemplate: conversation.chatTemplate ?? null });
  conversations.trash(staged.id);
  try {
    const ids: number[] = [];
    let batch: ExportedMessage[] = [];
    const flush = db.transaction((rows: ExportedMessage[]) => {
      for (const { parent, metrics, ...message } of rows) {
        const index = ids.length;
        // A reply that was streaming when exported can no longer finish.
        const status = message.status === 'streaming' ? 'interrupted' : message.status;
        const parentId = parent === undefined ? (index > 0 ? ids[index - 1] : null) : parent === null ? null : ids[parent];
        const id = messages.insertImported(staged.id, { ...message, status }, parentId);
        ids.push(id);
        if (metrics) messages.saveMetrics(id, metrics, true);
      }
    });
    let sliceStart = performance.now();
    for (const message of exported) {
      batch.push(message);
      if (batch.length >= 200 || performance.now() - sliceStart > importSliceMs) {
        flush(batch);
        batch = [];
        await nextTurn();
        sliceStart = performance.now();
      }
    }
    flush(batch);
    db.transaction(() => {
      if (ids.length > 0) messages.select(staged.id, ids[shown ?? ids.length - 1]);
      conversations.restore(staged.id);
    })();
    return conversations.get(staged.id);
  } catch (error) {
    conversations.remove(staged.id);
    throw error;
  }
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
  ['temperature', (r) => r.metrics.settings.temperature],
  // Reasoning models: of output_tokens, those spent thinking; and when the answer began.
  ['thought_tokens', (r) => r.metrics.thoughtTokens],
  ['thinking_ms', (r) => r.metrics.thinkingMs],
  ['ttfa_ms', (r) => r.metrics.ttfaMs]
];

/**
 * Measured figures keep two decimals (0.01 ms, 0.01 tok/s, beyond what the clock resolves): a
 * spreadsheet shows 742.13, not 742.1283749201.
 */
function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = typeof value === 'number' && !Number.isInteger(value) ? String(Math.round(value * 100) / 100) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The dashboard's rows as CSV, one reply per line. */
export function exportRepliesCsv(records: ReplyRecord[]): ExportedFile {
  const lines = [csvColumns.map(([name]) => name).join(',')];
  for (const record of records) lines.push(csvColumns.map(([, value]) => csvField(value(record))).join(','));
  return { filename: 'hearth-replies.csv', mimeType: 'text/csv', content: `${lines.join('\r\n')}\r\n` };
}
