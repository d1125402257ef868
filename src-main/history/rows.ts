import { z } from 'zod';
import {
  defaultGenerationSettings,
  generationSettingsSchema,
  messageMetricsSchema,
  messageSourceSchema,
  type MessageSource,
  type Conversation,
  type GenerationSettings,
  type Message,
  type MessageMetrics,
  type MessageRole,
  type MessageStatus
} from '../api';

/** How conversations, messages and their metrics are stored, and read back as the contract's shapes. */
export interface ConversationRow {
  id: number;
  title: string;
  model: string | null;
  system_prompt: string;
  settings: string;
  chat_template: string | null;
  pinned: number;
  created_at: number;
  updated_at: number;
  leaf_message_id: number | null;
}

export interface MessageRow {
  id: number;
  conversation_id: number;
  role: MessageRole;
  content: string;
  thought: string;
  status: MessageStatus;
  error: string | null;
  created_at: number;
  updated_at: number;
  model: string | null;
  quantization: string | null;
  chat_template: string | null;
  prompt_tokens: number | null;
  prefill_tokens: number | null;
  output_tokens: number | null;
  ttft_ms: number | null;
  prefill_tps: number | null;
  decode_tps: number | null;
  total_ms: number | null;
  stop_reason: MessageMetrics['stopReason'] | null;
  sampling: string | null;
  threads: number | null;
  details: string | null;
  parent_id: number | null;
  sources: string | null;
}

export const messageColumns = `m.*, mm.model, mm.quantization, mm.chat_template, mm.prompt_tokens, mm.prefill_tokens,
         mm.output_tokens, mm.ttft_ms, mm.prefill_tps, mm.decode_tps, mm.total_ms, mm.stop_reason,
         mm.sampling, mm.threads, mm.details`;
export const messageSelect = `SELECT ${messageColumns} FROM messages m LEFT JOIN message_metrics mm ON mm.message_id = m.id`;

function parseJson(json: string | null): unknown {
  try {
    return JSON.parse(json ?? '{}');
  } catch {
    return {};
  }
}

/**
 * Stored values merged over the defaults field by field: a row written by an older build still reads
 * whole, and one value an older or newer build wrote differently keeps its default alone.
 */
function fieldByField<T extends object>(shape: Record<string, z.ZodType>, json: string | null, defaults: T): T {
  const stored = parseJson(json);
  const merged = { ...defaults } as Record<string, unknown>;
  if (stored && typeof stored === 'object') {
    for (const [key, schema] of Object.entries(shape)) {
      const parsed = schema.safeParse((stored as Record<string, unknown>)[key]);
      if (parsed.success && parsed.data !== undefined) merged[key] = parsed.data;
    }
  }
  return merged as T;
}

export function readSettings(json: string): GenerationSettings {
  return fieldByField(generationSettingsSchema.shape, json, defaultGenerationSettings);
}

/** Figures added after the first schema live in one JSON column; a row from an older build reads with their defaults. */
const detailsSchema = messageMetricsSchema.pick({
  stopSequence: true,
  contextSize: true,
  droppedTurns: true,
  speculation: true,
  beam: true,
  interTokenP50Ms: true,
  interTokenP95Ms: true,
  interTokenHistogram: true,
  gpuLayers: true,
  thoughtTokens: true,
  thinkingMs: true,
  ttfaMs: true,
  retrievalMs: true
});
type MetricsDetails = z.infer<typeof detailsSchema>;

function readDetails(json: string | null): MetricsDetails {
  return fieldByField(detailsSchema.shape, json, detailsSchema.parse({}));
}

export function detailsOf(metrics: MessageMetrics): MetricsDetails {
  return Object.fromEntries(Object.keys(detailsSchema.shape).map((key) => [key, metrics[key as keyof MetricsDetails]])) as MetricsDetails;
}

export function toConversation(row: ConversationRow): Conversation {
  return {
    id: row.id,
    title: row.title,
    model: row.model,
    systemPrompt: row.system_prompt,
    settings: readSettings(row.settings),
    chatTemplate: row.chat_template,
    pinned: row.pinned === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at
  };
}

export function toMessage(row: MessageRow, siblingIds: number[] = [row.id]): Message {
  const metrics: MessageMetrics | null =
    row.model === null
      ? null
      : {
          model: row.model,
          quantization: row.quantization,
          chatTemplate: row.chat_template ?? '',
          promptTokens: row.prompt_tokens ?? 0,
          prefillTokens: row.prefill_tokens ?? 0,
          outputTokens: row.output_tokens ?? 0,
          ttftMs: row.ttft_ms,
          prefillTokensPerSecond: row.prefill_tps,
          decodeTokensPerSecond: row.decode_tps,
          totalMs: row.total_ms ?? 0,
          stopReason: row.stop_reason ?? 'error',
          settings: readSettings(row.sampling ?? '{}'),
          threads: row.threads ?? 0,
          ...readDetails(row.details)
        };
  return {
    id: row.id,
    conversationId: row.conversation_id,
    role: row.role,
    content: row.content,
    thought: row.thought,
    status: row.status,
    error: row.error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    metrics,
    parentId: row.parent_id,
    siblingIds,
    ...readSources(row.sources)
  };
}

/** A message's sources as stored (JSON); none when absent or unreadable, so one bad row never hides its message. */
function readSources(json: string | null): { sources?: MessageSource[] } {
  if (json === null) return {};
  const parsed = z.array(messageSourceSchema).safeParse(parseJson(json));
  return parsed.success && parsed.data.length > 0 ? { sources: parsed.data } : {};
}
