import { GeneralChatWrapper, JinjaTemplateChatWrapper, resolveChatWrapper, type ChatWrapper, type LlamaModel } from 'node-llama-cpp';
import { ApiError, type ChatTemplateChoice } from '../api';

export type PromptFormat = { kind: 'chat'; wrapper: ChatWrapper; name: string } | { kind: 'base'; name: string };

export const baseModelFormatName = 'none (base model: plain text continuation)';

/**
 * A GGUF with a `tokenizer.chat_template` is a chat model. Without one, only a name that identifies a
 * chat format (e.g. "llama-2-7b-chat", "Mistral Instruct") makes it one; node-llama-cpp would otherwise
 * guess from the BOS token or the architecture (Llama-2 chat for any llama), and a base model prompted
 * in a chat format produces nonsense. So those guesses are left out here, and the generic wrapper counts
 * as "not identified".
 */
export function resolvePromptFormat(model: LlamaModel): PromptFormat {
  const fileInfo = model.fileInfo;
  const hasTemplate = Boolean(fileInfo.metadata?.tokenizer?.chat_template?.trim());
  if (hasTemplate) {
    const wrapper = resolveChatWrapper(model);
    return { kind: 'chat', wrapper, name: wrapper.wrapperName };
  }
  const withoutArchitecture = {
    ...fileInfo,
    metadata: { ...fileInfo.metadata, general: { ...fileInfo.metadata.general, architecture: undefined } }
  } as unknown as typeof fileInfo;
  const byName = resolveChatWrapper({
    filename: model.filename,
    fileInfo: withoutArchitecture,
    tokenizer: model.tokenizer,
    warningLogs: false
  });
  if (byName === null || byName instanceof GeneralChatWrapper) return { kind: 'base', name: baseModelFormatName };
  return { kind: 'chat', wrapper: byName, name: byName.wrapperName };
}

export const customJinjaFormatName = 'custom Jinja template';
export const plainTextFormatName = 'plain text (no template)';

/** The prompt format a conversation asked for: the model's own, a known one, or the user's Jinja template. */
export function chosenPromptFormat(modelFormat: PromptFormat, choice: ChatTemplateChoice): PromptFormat {
  if (choice.kind === 'model') return modelFormat;
  if (choice.kind === 'named') {
    const wrapper = resolveChatWrapper({ type: choice.name, warningLogs: false });
    if (!wrapper) throw new ApiError('SETTINGS_INVALID', `The chat template "${choice.name}" is not available.`);
    return { kind: 'chat', wrapper, name: choice.name };
  }
  try {
    const wrapper = new JinjaTemplateChatWrapper({ template: choice.template });
    return { kind: 'chat', wrapper, name: customJinjaFormatName };
  } catch (error) {
    throw new ApiError('SETTINGS_INVALID', `The custom chat template cannot be used: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
}
