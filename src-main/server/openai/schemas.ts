import { z } from 'zod';
import { messageSchema } from './messages';
import { ApiError, defaultGenerationSettings, grammarSchemaOf, type GenerationSettings, type ResponseFormat } from '../../api';
import type { ToolSpec } from '../../app';

/**
 * Fields every OpenAI generation request may carry. Every one OpenAI's spec marks nullable takes null as
 * "the default" (the SDKs send null for a caller's None); unknown fields (user, logit_bias, …) are
 * ignored, as OpenAI-compatible servers do.
 */
const sampling = {
  model: z.string().min(1, 'model is required').max(4096),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  max_tokens: z.number().int().min(1, 'max_tokens must be at least 1').nullish(),
  max_completion_tokens: z.number().int().min(1, 'max_completion_tokens must be at least 1').nullish(),
  stop: z.union([z.string().min(1), z.array(z.string().min(1)).max(4)]).nullish(),
  seed: z.number().int().min(0).max(2 ** 32 - 1).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  n: z.literal(1, 'Only n=1 is supported: one choice per request.').nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish()
};


/** Token ids, as the completions and embeddings APIs take them instead of text. */
const tokenIds = z.array(z.number().int().min(0)).min(1, 'a list of token ids cannot be empty');

/**
 * How much a reasoning model may think (OpenAI's `reasoning_effort`): `none` switches thinking off where
 * the model's template can; the others are thought budgets in tokens (null: up to max tokens).
 */
export const reasoningEffortBudgets = { none: 0, minimal: 256, low: 1024, medium: 4096, high: null, xhigh: null } as const;

export const chatCompletionSchema = z.object({
  ...sampling,
  messages: z.array(messageSchema).min(1, 'messages must hold at least one message'),
  /** Functions the model may call; `tool_choice` says whether it must; `parallel_tool_calls` false allows one call. */
  tools: z
    .array(
      z.object({
        type: z.literal('function', 'Only function tools are supported.'),
        function: z.object({
          name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a tool name is 1 to 64 letters, digits, _ or -'),
          description: z.string().nullish(),
          parameters: z.record(z.string(), z.unknown()).nullish(),
          strict: z.boolean().nullish()
        })
      })
    )
    .max(128)
    .nullish(),
  tool_choice: z
    .union([z.enum(['none', 'auto', 'required']), z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) })])
    .nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  reasoning_effort: z.enum(Object.keys(reasoningEffortBudgets) as [keyof typeof reasoningEffortBudgets]).nullable().optional(),
  /** Each answer token's log probability, and `top_logprobs` alternatives for it (see inference/logprobs.ts). */
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().min(0).max(20, 'top_logprobs is at most 20').nullish(),
  /** Text, any JSON object, or JSON following a schema: enforced by a grammar (see api/jsonSchema.ts). */
  response_format: z
    .discriminatedUnion('type', [
      z.object({ type: z.literal('text') }),
      z.object({ type: z.literal('json_object') }),
      z.object({
        type: z.literal('json_schema'),
        json_schema: z.object({
          name: z.string().max(64),
          description: z.string().nullish(),
          schema: z.record(z.string(), z.unknown()).nullish(),
          strict: z.boolean().nullish()
        })
      })
    ])
    .nullish(),
  /** Variables for the chat template (llama.cpp's and vLLM's extension); Hearth's templates take `enable_thinking` only. */
  chat_template_kwargs: z
    .record(z.string(), z.unknown())
    .nullable()
    .optional()
    .superRefine((kwargs, context) => {
      for (const [key, value] of Object.entries(kwargs ?? {})) {
        if (key !== 'enable_thinking') {
          context.addIssue({ code: 'custom', path: [key], message: `Hearth cannot pass "${key}" to the chat template; only enable_thinking (true or false) is supported.` });
        } else if (typeof value !== 'boolean') {
          context.addIssue({ code: 'custom', path: [key], message: 'enable_thinking must be true or false.' });
        }
      }
    })
});
export type ChatCompletionRequest = z.infer<typeof chatCompletionSchema>;

const onePrompt = 'Only one prompt per request is supported.';
export const completionSchema = z.object({
  ...sampling,
  /** The legacy API's log probabilities: this many alternatives per token (0 for the chosen token's alone). */
  logprobs: z.number().int().min(0).max(20, 'logprobs is at most 20').nullish(),
  /** Text, or token ids; one prompt per request (a list of one). */
  prompt: z.union([z.string(), z.array(z.string()).length(1, onePrompt), tokenIds, z.array(tokenIds).length(1, onePrompt)])
});
export type CompletionRequest = z.infer<typeof completionSchema>;

/** The tools a chat request offers and how the model must use them; null when it may call none. */
export function toolsOf(request: ChatCompletionRequest): { tools: ToolSpec[]; mode: 'auto' | 'required'; parallel: boolean } | null {
  const choice = request.tool_choice ?? 'auto';
  const offered = (request.tools ?? []).map(({ function: tool }) => ({
    name: tool.name,
    ...(tool.description ? { description: tool.description } : {}),
    ...(tool.parameters ? { parameters: tool.parameters } : {})
  }));
  if (choice === 'none') return null;
  if (offered.length === 0) {
    if (request.tool_choice != null) throw new ApiError('VALIDATION', 'tool_choice needs tools to choose from.', [{ path: 'tool_choice', message: 'needs tools' }]);
    return null;
  }
  const parallel = request.parallel_tool_calls ?? true;
  if (typeof choice === 'object') {
    const named = offered.filter((tool) => tool.name === choice.function.name);
    if (named.length === 0) throw new ApiError('VALIDATION', `tool_choice names "${choice.function.name}", which is not among the tools.`, [{ path: 'tool_choice', message: 'not among the tools' }]);
    return { tools: named, mode: 'required', parallel };
  }
  return { tools: offered, mode: choice, parallel };
}

/** How many alternatives per token a request wants log probabilities with; null for none. */
export function logprobsOf(request: ChatCompletionRequest | CompletionRequest): number | null {
  if (!('messages' in request)) return request.logprobs ?? null;
  if (request.top_logprobs != null && !request.logprobs) {
    throw new ApiError('VALIDATION', 'top_logprobs needs logprobs: true.', [{ path: 'top_logprobs', message: 'needs logprobs: true' }]);
  }
  return request.logprobs ? (request.top_logprobs ?? 0) : null;
}

/** The prompt as text or token ids. */
export function promptOf(request: CompletionRequest): string | number[] {
  const { prompt } = request;
  if (typeof prompt === 'string') return prompt;
  const first = prompt[0];
  return typeof first === 'number' ? (prompt as number[]) : (first as string | number[]);
}

const nonEmptyText = z.string().min(1, 'an input cannot be empty');
export const embeddingSchema = z.object({
  model: z.string().min(1).max(4096),
  /** Text or token ids, one or up to 256 of them. */
  input: z.union([nonEmptyText, z.array(nonEmptyText).min(1).max(256), tokenIds, z.array(tokenIds).min(1).max(256)]),
  /** `float` (the default) or `base64`: the vector's float32 values, little-endian, in base64. */
  encoding_format: z.enum(['float', 'base64']).nullish(),
  dimensions: z
    .number()
    .nullish()
    .refine((dimensions) => dimensions == null, "dimensions cannot be chosen: a local embedding model's vectors have its own fixed size.")
});

/** The inputs to embed, each text or token ids. */
export function embeddingInputsOf(request: z.infer<typeof embeddingSchema>): (string | number[])[] {
  const { input } = request;
  if (typeof input === 'string') return [input];
  return typeof input[0] === 'number' ? [input as number[]] : (input as (string | number[])[]);
}


/** The response format a chat request asks for; VALIDATION naming what a schema uses that cannot be enforced. */
function responseFormatOf(request: ChatCompletionRequest): ResponseFormat {
  const format = request.response_format;
  if (!format || format.type === 'text') return { kind: 'text' };
  if (format.type === 'json_object' || !format.json_schema.schema) return { kind: 'json' };
  const { unsupported } = grammarSchemaOf(format.json_schema.schema);
  if (unsupported.length > 0) {
    throw new ApiError('VALIDATION', `response_format.json_schema.schema uses what Hearth cannot enforce: ${unsupported.join('; ')}.`, [
      { path: 'response_format.json_schema.schema', message: 'cannot be enforced' }
    ]);
  }
  return { kind: 'jsonSchema', schema: format.json_schema.schema };
}

/** The thinking a chat request asks for, from `reasoning_effort` and `chat_template_kwargs.enable_thinking`; 400 when they disagree. */
function thinkingOf(request: ChatCompletionRequest): Pick<GenerationSettings, 'thinking' | 'thoughtBudget'> {
  const enabled = request.chat_template_kwargs?.enable_thinking as boolean | undefined;
  const effort = request.reasoning_effort ?? null;
  const budget = effort === null ? null : reasoningEffortBudgets[effort];
  if (enabled === true && budget === 0) {
    throw new ApiError('VALIDATION', 'reasoning_effort "none" and chat_template_kwargs.enable_thinking true contradict each other: send one of them.', [
      { path: 'reasoning_effort', message: 'contradicts enable_thinking' }
    ]);
  }
  if (enabled === false || budget === 0) return { thinking: false, thoughtBudget: null };
  return { thinking: true, thoughtBudget: budget };
}

/**
 * An OpenAI request's settings as Hearth's: OpenAI's defaults where it has them (temperature 1, top-p 1,
 * no penalties, completions stop after 16 tokens), no top-k or min-p, and the server's cap on max tokens.
 */
export function settingsOf(request: ChatCompletionRequest | CompletionRequest, defaultMaxTokens: number, maxTokensCap: number): GenerationSettings {
  const stop = request.stop == null ? [] : typeof request.stop === 'string' ? [request.stop] : request.stop;
  return {
    ...defaultGenerationSettings,
    temperature: request.temperature ?? 1,
    topP: request.top_p ?? 1,
    topK: 0,
    minP: 0,
    repeatPenalty: 1,
    presencePenalty: request.presence_penalty ?? 0,
    frequencyPenalty: request.frequency_penalty ?? 0,
    seed: request.seed ?? null,
    stop,
    maxTokens: Math.min(request.max_completion_tokens ?? request.max_tokens ?? defaultMaxTokens, maxTokensCap),
    // A client's history is read whole or refused with the sizes, never cut short.
    contextOverflow: 'stop',
    ...('messages' in request ? { ...thinkingOf(request), responseFormat: responseFormatOf(request) } : {})
  };
}
