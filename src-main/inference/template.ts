import { GeneralChatWrapper, resolveChatWrapper, type ChatWrapper, type LlamaModel } from 'node-llama-cpp';

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
