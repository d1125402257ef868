/**
 * What shapes a reply: generation settings per conversation, chat templates, drafting and presets. Pure (no Node, no DOM): the renderer and the preload bundle it too.
 */
import { z } from 'zod';
import { grammarSchemaOf } from './jsonSchema';

/** Prompt formats Hearth can apply instead of the model's own (node-llama-cpp's wrapper type names). */
export const knownChatTemplates = [
  'chatML',
  'llama3.2-lightweight',
  'llama3.1',
  'llama3',
  'llama2Chat',
  'mistral',
  'gemma',
  'deepSeek',
  'qwen',
  'falconChat',
  'alpacaChat',
  'general'
] as const;

export const chatTemplateChoiceSchema = z.discriminatedUnion('kind', [
  /** The template in the model's GGUF (or, without one, plain continuation for a base model). */
  z.strictObject({ kind: z.literal('model') }),
  z.strictObject({ kind: z.literal('named'), name: z.enum(knownChatTemplates) }),
  z.strictObject({ kind: z.literal('jinja'), template: z.string().trim().min(1, 'Paste a Jinja template first.').max(100_000) })
]);
export type ChatTemplateChoice = z.infer<typeof chatTemplateChoiceSchema>;

export const draftingSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('off') }),
  /** Drafts by finding the last generated tokens earlier in the prompt (n-gram lookup). */
  z.strictObject({ kind: z.literal('promptLookup') }),
  /** Drafts with a smaller installed model that shares the vocabulary. */
  z.strictObject({ kind: z.literal('model'), name: z.string().min(1).max(4096) })
]);
export type Drafting = z.infer<typeof draftingSchema>;

/**
 * What the reply must be: free text, any JSON object, or JSON that follows a schema (enforced by a
 * grammar, so the reply always parses; a schema with keywords that cannot be enforced is refused).
 */
export const responseFormatSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('text') }),
  z.strictObject({ kind: z.literal('json') }),
  z.strictObject({
    kind: z.literal('jsonSchema'),
    schema: z.record(z.string(), z.unknown()).superRefine((schema, context) => {
      const { unsupported } = grammarSchemaOf(schema);
      if (unsupported.length > 0) context.addIssue({ code: 'custom', message: `The JSON schema uses what Hearth cannot enforce: ${unsupported.join('; ')}.` });
    })
  })
]);
export type ResponseFormat = z.infer<typeof responseFormatSchema>;

export const contextOverflowPolicies = ['dropOldest', 'stop'] as const;
export type ContextOverflowPolicy = (typeof contextOverflowPolicies)[number];

/** Everything that shapes a reply; saved per conversation and stored with each reply's metrics. */
export const generationSettingsSchema = z.strictObject({
  temperature: z.number().min(0, 'Temperature cannot be negative.').max(2),
  /** 0 keeps every token. */
  topK: z.number().int().min(0).max(1000),
  topP: z.number().gt(0, 'Top-p must be above 0.').max(1, 'Top-p is a probability: at most 1.'),
  minP: z.number().min(0).max(1),
  /** 1 turns the repeat penalty off. */
  repeatPenalty: z.number().min(1, 'Repeat penalty below 1 would reward repetition; 1 turns it off.').max(2),
  /** How many recent tokens the repeat, presence and frequency penalties look back over. */
  repeatLastTokens: z.number().int().min(1).max(4096),
  /** Subtracted once from a token that already appeared. */
  presencePenalty: z.number().min(-2).max(2),
  /** Subtracted once per earlier appearance of a token. */
  frequencyPenalty: z.number().min(-2).max(2),
  /** Every token the reply generates counts, its thought's included. */
  maxTokens: z.number().int().min(1).max(131072),
  seed: z.number().int().min(0).max(2 ** 32 - 1).nullable(),
  stop: z.array(z.string().min(1, 'A stop sequence cannot be empty.').max(200)).max(8),
  /** Off: the end-of-sequence token is never sampled, so the reply runs to max tokens or a stop sequence. */
  stopAtEos: z.boolean(),
  /** Context length for this conversation; null takes the model's default (bounded by the fit estimate). */
  contextSize: z.number().int().min(256).max(1_048_576).nullable(),
  contextOverflow: z.enum(contextOverflowPolicies),
  chatTemplate: chatTemplateChoiceSchema,
  /** 1 is ordinary sampling; above 1, deterministic beam search with that many beams. */
  beamWidth: z.number().int().min(1).max(8),
  /** Beam scores are log-probability ÷ length^lengthPenalty: above 0 favours longer replies. */
  lengthPenalty: z.number().min(0).max(2),
  drafting: draftingSchema,
  /**
   * Reasoning models: off asks the template for its no-thinking form (Qwen3's enable_thinking=false and
   * the like) where it has one; a model that cannot stop thinking thinks anyway.
   */
  thinking: z.boolean(),
  /** The most tokens a reply may spend thinking before its answer starts; null leaves it to max tokens. */
  thoughtBudget: z.number().int().min(1).max(131072).nullable(),
  responseFormat: responseFormatSchema
});
export type GenerationSettings = z.infer<typeof generationSettingsSchema>;

export const defaultGenerationSettings: GenerationSettings = {
  temperature: 0.7,
  topK: 40,
  topP: 0.95,
  minP: 0.05,
  repeatPenalty: 1,
  repeatLastTokens: 64,
  presencePenalty: 0,
  frequencyPenalty: 0,
  // A reasoning model's thought alone often runs past 1,000 tokens (Qwen3 suggests room for 32,768).
  maxTokens: 4096,
  seed: null,
  stop: [],
  stopAtEos: true,
  contextSize: null,
  contextOverflow: 'dropOldest',
  chatTemplate: { kind: 'model' },
  beamWidth: 1,
  lengthPenalty: 1,
  drafting: { kind: 'off' },
  thinking: true,
  thoughtBudget: null,
  responseFormat: { kind: 'text' }
};

export const samplingPresetNames = ['precise', 'balanced', 'creative'] as const;
export type SamplingPresetName = (typeof samplingPresetNames)[number];
/** Presets change only how the next token is picked; context, template and stopping stay as they are. */
export const samplingPresets: Record<SamplingPresetName, Partial<GenerationSettings>> = {
  precise: { temperature: 0.2, topK: 20, topP: 0.9, minP: 0.1, repeatPenalty: 1, presencePenalty: 0, frequencyPenalty: 0 },
  balanced: { temperature: 0.7, topK: 40, topP: 0.95, minP: 0.05, repeatPenalty: 1, presencePenalty: 0, frequencyPenalty: 0 },
  creative: { temperature: 1.1, topK: 80, topP: 0.98, minP: 0.02, repeatPenalty: 1.05, presencePenalty: 0.3, frequencyPenalty: 0.2 }
};

/** How the history behaves (Settings → History). */
export const historySettingsSchema = z.strictObject({
  /** Search reasoning models' thoughts too, not only what was said. */
  searchThoughts: z.boolean()
});
export type HistorySettings = z.infer<typeof historySettingsSchema>;
export const defaultHistorySettings: HistorySettings = { searchThoughts: false };
