import { LlamaText, type ChatModelFunctions, type ChatWrapper } from 'node-llama-cpp';
import { ApiError, grammarSchemaOf, type GenerationSettings } from '../api';
import type { PromptFormat } from './template';

/** A tool the model may call: its name, what it does, and its parameters as a JSON schema. */
export interface ToolSpec {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
}

/** The tools offered to one reply. */
export interface ReplyTools {
  tools: ToolSpec[];
  /** `auto`: the model decides; `required`: it must call one of the tools. */
  mode: 'auto' | 'required';
  /** Several calls in one reply where the model's format allows it; false: at most one. */
  parallel: boolean;
  /** A call's arguments as they are generated: the call's index, its tool's name, and new JSON text. */
  onCallChunk?: (chunk: { index: number; name: string; argumentsDelta: string }) => void;
}

/** A call the reply made: the tool's name and its arguments as JSON text. */
export interface ToolCall {
  name: string;
  arguments: string;
}

/**
 * The tools as node-llama-cpp's functions: each tool's parameters become the grammar its arguments are
 * generated with (see api/jsonSchema.ts), so arguments always parse and follow the schema. VALIDATION
 * names what a tool's schema uses that cannot be enforced.
 */
export function functionsOf(tools: ToolSpec[]): ChatModelFunctions {
  const functions: Record<string, { description?: string; params?: unknown }> = {};
  for (const tool of tools) {
    const { schema, unsupported } = grammarSchemaOf(tool.parameters ?? { type: 'object', properties: {} });
    if (unsupported.length > 0) throw new ApiError('VALIDATION', `The parameters of tool "${tool.name}" use what Hearth cannot enforce: ${unsupported.join('; ')}.`);
    functions[tool.name] = { ...(tool.description ? { description: tool.description } : {}), params: schema };
  }
  return functions as ChatModelFunctions;
}

/**
 * The wrapper, made to call a tool at once: after the prompt, node-llama-cpp puts the template's own
 * function-call prefix into the context and has the model choose a function (its "no prefix trigger").
 */
export function forcingToolCalls(wrapper: ChatWrapper): ChatWrapper {
  return new Proxy(wrapper, {
    get(target, property, receiver) {
      if (property !== 'generateContextState') return Reflect.get(target, property, receiver) as unknown;
      return (...args: Parameters<ChatWrapper['generateContextState']>) => {
        const { contextText, stopGenerationTriggers } = target.generateContextState(...args);
        return { contextText, stopGenerationTriggers, noPrefixTrigger: { type: 'functionCall' as const, inject: LlamaText() } };
      };
    }
  });
}

/** Tools need a chat template, and node-llama-cpp generates calls with their own grammar and without log probabilities. */
export function requireToolSupport(format: PromptFormat, settings: GenerationSettings, logprobs: boolean): void {
  const refuse = (why: string) => {
    throw new ApiError('SETTINGS_INVALID', `Tools cannot be used ${why}.`);
  };
  if (format.kind !== 'chat') refuse(`with ${format.name}: the model has no chat template to call them with`);
  if (settings.responseFormat.kind !== 'text') refuse('with a JSON response format');
  if (settings.beamWidth > 1) refuse('with beam search');
  if (logprobs) refuse('with log probabilities');
}
