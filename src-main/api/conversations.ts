/**
 * Conversations, their messages and each reply's measured figures; the JSON export format. Pure (no Node, no DOM): the renderer and the preload bundle it too.
 */
import { z } from 'zod';
import { messageSourceSchema, type MessageSource } from './documents';
import type { ModelRef } from './models';
import { generationSettingsSchema, type ContextOverflowPolicy, type GenerationSettings } from './settings';

export type MessageRole = 'system' | 'user' | 'assistant';
export type MessageStatus = 'complete' | 'streaming' | 'interrupted' | 'error';

/** `maxTokensInThought`: max tokens ran out while the model was still thinking (Continue resumes the thought). */
/** `toolCalls`: the reply ended by calling tools (the OpenAI API's tool calling; the client sends their results back). */
export const stopReasons = ['eos', 'stopSequence', 'maxTokens', 'maxTokensInThought', 'contextFull', 'toolCalls', 'abort', 'error'] as const;

/** What a piece of a reply is: the model's thinking (a thought segment, however its template marks it) or the answer. */
export type ReplySegment = 'thought' | 'answer';

export const messageMetricsSchema = z.object({
  /** The model reference the reply came from (see `ModelRef`). */
  model: z.string(),
  quantization: z.string().nullable(),
  chatTemplate: z.string(),
  promptTokens: z.number().int().min(0),
  /** Prompt tokens actually evaluated for this reply (the rest came from the context cache). */
  prefillTokens: z.number().int().min(0),
  /** Every generated token: the thought's and the answer's. */
  outputTokens: z.number().int().min(0),
  /** Time to the first generated token of any kind (a thought's first token for a reasoning model). */
  ttftMs: z.number().min(0).nullable(),
  prefillTokensPerSecond: z.number().min(0).nullable(),
  decodeTokensPerSecond: z.number().min(0).nullable(),
  totalMs: z.number().min(0),
  stopReason: z.enum(stopReasons),
  /** The stop sequence that ended the reply, when one did. */
  stopSequence: z.string().nullable().default(null),
  settings: generationSettingsSchema,
  threads: z.number().int().min(0),
  /** The loaded context's length, and how many of the oldest turns were left out so the prompt fit it. */
  contextSize: z.number().int().min(0).default(0),
  droppedTurns: z.number().int().min(0).default(0),
  /** Speculative decoding: draft tokens checked by the model, and how many it accepted. */
  speculation: z
    .object({ kind: z.enum(['promptLookup', 'model']), draftModel: z.string().nullable(), validated: z.number().int().min(0), refuted: z.number().int().min(0) })
    .nullable()
    .default(null),
  /** Beam search: the width and the chosen sequence's total log-probability. */
  beam: z.object({ width: z.number().int().min(1), logProbability: z.number() }).nullable().default(null),
  /** Time between consecutive output tokens: median, 95th percentile, and counts per `interTokenBucketsMs` bucket. */
  interTokenP50Ms: z.number().min(0).nullable().default(null),
  interTokenP95Ms: z.number().min(0).nullable().default(null),
  interTokenHistogram: z.array(z.number().int().min(0)).default([]),
  /** Layers llama.cpp ran on the GPU for this reply (0 on the CPU). */
  gpuLayers: z.number().int().min(0).default(0),
  /** Of `outputTokens`, those spent thinking. */
  thoughtTokens: z.number().int().min(0).default(0),
  /** From the first thought token to the first answer token; null without a thought (or without an answer). */
  thinkingMs: z.number().min(0).nullable().default(null),
  /** Time to the first answer token; equals `ttftMs` for a reply without a thought. */
  ttfaMs: z.number().min(0).nullable().default(null),
  /** Time spent finding the passages of the documents the conversation reads, before the prompt; absent when it reads none. */
  retrievalMs: z.number().min(0).nullable().optional()
});

/**
 * Upper edges (ms) of the inter-token latency histogram's buckets; the last bucket holds everything
 * slower. Fixed, so histograms of different replies add up.
 */
export const interTokenBucketsMs = [0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 150, 250, 500, 1000] as const;
export type MessageMetrics = z.infer<typeof messageMetricsSchema>;
export type StopReason = (typeof stopReasons)[number];

export interface Message {
  id: number;
  conversationId: number;
  role: MessageRole;
  /** The answer (for a reply) or what the user wrote. */
  content: string;
  /** A reply's thinking, kept apart from its answer; '' when it had none. */
  thought: string;
  status: MessageStatus;
  error: string | null;
  createdAt: number;
  updatedAt: number;
  metrics: MessageMetrics | null;
  /** The message this one answers or follows; null for a conversation's first message. */
  parentId: number | null;
  /** This message and its alternatives (regenerated replies, edited messages), oldest first. */
  siblingIds: number[];
  /** The document text a reply read, by the markers its prompt gave it; absent when it read none. */
  sources?: MessageSource[];
}

export interface Conversation {
  id: number;
  title: string;
  /** The model the conversation's replies come from; null until one is picked. */
  model: ModelRef | null;
  systemPrompt: string;
  settings: GenerationSettings;
  /** The prompt format used for the last reply: a chat wrapper's name, or "none (base model)". */
  chatTemplate: string | null;
  pinned: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface ConversationWithMessages {
  conversation: Conversation;
  /** The branch on show, first message to last; other branches are reached through `siblingIds`. */
  messages: Message[];
}

/** The conversation's prompt as the loaded model will receive it, and how much of the context it takes. */
export interface ContextReport {
  model: string;
  /** The prompt format's name (the model's, a named one, or "custom Jinja"). */
  template: string;
  promptTokens: number;
  contextSize: number;
  /** Room left for the reply, after the prompt. */
  remainingTokens: number;
  /** The least room a reply needs: with less, the overflow policy applies. */
  reserveTokens: number;
  policy: ContextOverflowPolicy;
  /** Oldest turns the policy would leave out to make room (0 when it all fits). */
  droppedTurns: number;
  /** The exact text the model receives, special tokens written out. */
  promptText: string;
  /** The document text the prompt holds (counted in `promptTokens`), by marker; absent when it holds none. */
  sources?: MessageSource[];
}

export interface SearchHit {
  conversationId: number;
  conversationTitle: string;
  messageId: number;
  role: MessageRole;
  /** Plain text around the match; the matched words are wrapped in the markers below. */
  snippet: string;
  /** The match is in the reply's thought, not its answer (only when search covers thoughts). */
  inThought: boolean;
}
export const snippetMarkStart = '\u0002';
export const snippetMarkEnd = '\u0003';

export interface ExportedFile {
  filename: string;
  mimeType: string;
  content: string;
}

/** Exports written before the model reference had one name called it `modelPath` (conversation) and `modelFile` (reply figures). */
function renamed(from: string, to: string) {
  return (value: unknown) => {
    if (typeof value !== 'object' || value === null || !(from in value) || to in value) return value;
    const { [from]: moved, ...rest } = value as Record<string, unknown>;
    return { ...rest, [to]: moved };
  };
}

/** The first day a Hearth export can be from; anything earlier (or past tomorrow) is not a real time. */
const earliestTime = Date.UTC(2000, 0, 1);
/** A time in an export: ms since the epoch, between 2000 and tomorrow. */
const exportedTime = z
  .number()
  .min(earliestTime, 'is before the year 2000: not a real time')
  .refine((value) => value <= Date.now() + 86_400_000, 'is in the future: not a real time');

/** Hearth's JSON export: the format `conversations.import` accepts back. */
export const exportFormatVersion = 1;

/** One message of an export. */
export const exportedMessageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
  /** A reply's thinking; absent in exports from before thoughts were kept. */
  thought: z.string().optional(),
  status: z.enum(['complete', 'streaming', 'interrupted', 'error']),
  error: z.string().nullable().optional(),
  createdAt: exportedTime,
  updatedAt: exportedTime.optional(),
  metrics: z.preprocess(renamed('modelFile', 'model'), messageMetricsSchema.nullable().optional()),
  /** Index (in `messages`) of the message this one follows; always an earlier one. */
  parent: z.number().int().min(0).nullable().optional(),
  /** The documents a reply read (see Message.sources). */
  sources: z.array(messageSourceSchema).optional()
});

/** An export with its messages not yet looked at: they are checked one at a time, so a large file never blocks. */
export const exportedConversationHeaderSchema = z.object({
  format: z.literal('hearth.conversation'),
  version: z.literal(exportFormatVersion),
  conversation: z.preprocess(
    renamed('modelPath', 'model'),
    z.object({
      title: z.string().max(500),
      model: z.string().nullable(),
      systemPrompt: z.string(),
      settings: generationSettingsSchema.partial().optional(),
      chatTemplate: z.string().nullable().optional(),
      pinned: z.boolean().optional(),
      createdAt: exportedTime,
      updatedAt: exportedTime,
      /** Index (in `messages`) of the last message of the branch on show; the last message when absent. */
      shown: z.number().int().min(0).nullable().optional()
    })
  ),
  /** Every branch, oldest first; without `parent` each message follows the one before it (older exports). */
  messages: z.array(z.unknown())
});

export const exportedConversationSchema = exportedConversationHeaderSchema.extend({ messages: z.array(exportedMessageSchema) });
export type ExportedConversation = z.infer<typeof exportedConversationSchema>;
