import {
  Gemma4ChatWrapper,
  GeneralChatWrapper,
  JinjaTemplateChatWrapper,
  QwenChatWrapper,
  resolveChatWrapper,
  SeedChatWrapper,
  type ChatWrapper,
  type LlamaModel
} from 'node-llama-cpp';
import { ApiError, type ChatTemplateChoice, type ThinkingSupport } from '../api';

export type PromptFormat = { kind: 'chat'; wrapper: ChatWrapper; name: string; thinking: ThinkingSupport } | { kind: 'base'; name: string; thinking: 'none' };

export const baseModelFormatName = 'none (base model: plain text continuation)';

/**
 * The no-thinking form of each template that has one, as node-llama-cpp's wrappers take it: Qwen3's
 * `enable_thinking=false` (an empty thought opened and closed in the prompt), Gemma 4's reasoning off,
 * Seed's zero thinking budget, and a Jinja template rendered with `enable_thinking` false.
 */
const thinkingOff = {
  qwen: { thoughts: 'discourage' },
  gemma4: { reasoning: false },
  seed: { thinkingBudget: 0 }
} as const;
const jinjaThinkingOff = { reasoning: false } as const;

/** Whether a wrapper's model thinks, and whether its template can ask it not to. */
function thinkingOf(wrapper: ChatWrapper): ThinkingSupport {
  const switchable =
    wrapper instanceof QwenChatWrapper ||
    wrapper instanceof Gemma4ChatWrapper ||
    wrapper instanceof SeedChatWrapper ||
    (wrapper instanceof JinjaTemplateChatWrapper && wrapper.template.includes('enable_thinking'));
  if (switchable) return 'switchable';
  return wrapper.settings.segments?.thought ? 'always' : 'none';
}

/** What a model's own Jinja template is called on screen and in exports (node-llama-cpp names its wrapper "JinjaTemplate"). */
export const modelJinjaFormatName = "the model's own (Jinja)";

function chat(wrapper: ChatWrapper, name = wrapper instanceof JinjaTemplateChatWrapper ? modelJinjaFormatName : wrapper.wrapperName): PromptFormat {
  return { kind: 'chat', wrapper, name, thinking: thinkingOf(wrapper) };
}

/**
 * A GGUF with a `tokenizer.chat_template` is a chat model. Without one, only a name that identifies a
 * chat format (e.g. "llama-2-7b-chat", "Mistral Instruct") makes it one; node-llama-cpp would otherwise
 * guess from the BOS token or the architecture (Llama-2 chat for any llama), and a base model prompted
 * in a chat format produces nonsense. So those guesses are left out here, and the generic wrapper counts
 * as "not identified". With `thinking` false, the template's no-thinking form where it has one.
 */
export function resolvePromptFormat(model: LlamaModel, thinking = true): PromptFormat {
  const fileInfo = model.fileInfo;
  const customWrapperSettings = thinking ? undefined : thinkingOff;
  const hasTemplate = Boolean(fileInfo.metadata?.tokenizer?.chat_template?.trim());
  if (hasTemplate) return chat(resolveChatWrapper(model, { customWrapperSettings: thinking ? undefined : { ...thinkingOff, jinjaTemplate: jinjaThinkingOff } }));
  const withoutArchitecture = {
    ...fileInfo,
    metadata: { ...fileInfo.metadata, general: { ...fileInfo.metadata.general, architecture: undefined } }
  } as unknown as typeof fileInfo;
  const byName = resolveChatWrapper({
    filename: model.filename,
    fileInfo: withoutArchitecture,
    tokenizer: model.tokenizer,
    warningLogs: false,
    customWrapperSettings
  });
  if (byName === null || byName instanceof GeneralChatWrapper) return { kind: 'base', name: baseModelFormatName, thinking: 'none' };
  return chat(byName);
}

export const customJinjaFormatName = 'custom Jinja template';
export const plainTextFormatName = 'plain text (no template)';

/**
 * The prompt format a reply runs with: the conversation's choice (the model's own template, a known
 * one, or the user's Jinja template), in its no-thinking form when `thinking` is off.
 */
export function chosenPromptFormat(model: LlamaModel, modelFormat: PromptFormat, choice: ChatTemplateChoice, thinking = true): PromptFormat {
  if (choice.kind === 'model') return thinking || modelFormat.thinking !== 'switchable' ? modelFormat : resolvePromptFormat(model, false);
  const customWrapperSettings = thinking ? undefined : thinkingOff;
  if (choice.kind === 'named') {
    const wrapper = resolveChatWrapper({ type: choice.name, warningLogs: false, customWrapperSettings });
    if (!wrapper) throw new ApiError('SETTINGS_INVALID', `The chat template "${choice.name}" is not available.`);
    return chat(wrapper, choice.name);
  }
  try {
    return chat(new JinjaTemplateChatWrapper({ template: choice.template, ...(thinking ? {} : jinjaThinkingOff) }), customJinjaFormatName);
  } catch (error) {
    throw new ApiError('SETTINGS_INVALID', `The custom chat template cannot be used: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
}
