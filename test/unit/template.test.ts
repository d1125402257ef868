import type { LlamaModel } from 'node-llama-cpp';
import { describe, expect, it } from 'vitest';
import { baseModelFormatName, chosenPromptFormat, resolvePromptFormat } from '../../src-main/inference';
import { qwen3ChatTemplate } from '../fixtures/qwen3';

/** Only the parts of a model that the format resolution reads: its file name and GGUF metadata. */
function modelLike(filename: string, name: string, chatTemplate?: string, architecture = 'llama'): LlamaModel {
  return {
    filename,
    fileInfo: { metadata: { general: { architecture, name }, tokenizer: chatTemplate ? { chat_template: chatTemplate } : {} } },
    tokenizer: undefined
  } as unknown as LlamaModel;
}

describe('prompt format', () => {
  it('treats a llama without a chat template or a chat name as a base model (no guessed Llama-2 chat format)', () => {
    expect(resolvePromptFormat(modelLike('stories260K.gguf', 'llama'))).toEqual({ kind: 'base', name: baseModelFormatName, thinking: 'none' });
    expect(resolvePromptFormat(modelLike('llama-2-7b.Q4_K_M.gguf', 'LLaMA v2')).kind).toBe('base');
  });

  it('uses a chat format that the file name or model name identifies', () => {
    expect(resolvePromptFormat(modelLike('llama-2-7b-chat.Q4_K_M.gguf', 'LLaMA v2'))).toMatchObject({ kind: 'chat', name: 'Llama2Chat' });
    expect(resolvePromptFormat(modelLike('model.gguf', 'Meta Llama 3.1 8B Instruct'))).toMatchObject({ kind: 'chat' });
  });

  it('uses the chat template from the GGUF when there is one', () => {
    const chatMl =
      "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
    const format = resolvePromptFormat(modelLike('tiny.gguf', 'tiny', chatMl));
    expect(format.kind).toBe('chat');
    expect(format.name).not.toBe(baseModelFormatName);
  });

  it('knows which templates think, and which of those can be asked not to', () => {
    const chatMl =
      "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
    expect(resolvePromptFormat(modelLike('tiny.gguf', 'tiny', chatMl)).thinking).toBe('none');
    expect(resolvePromptFormat(modelLike('Qwen3-8B-Q4_K_M.gguf', 'Qwen3 8B', qwen3ChatTemplate, 'qwen3'))).toMatchObject({ name: 'Qwen', thinking: 'switchable' });
    // DeepSeek-R1's format always thinks: it has no switch, so thinking off leaves it as it is.
    const model = modelLike('tiny.gguf', 'tiny', chatMl);
    const deepSeek = chosenPromptFormat(model, resolvePromptFormat(model), { kind: 'named', name: 'deepSeek' }, false);
    expect(deepSeek).toMatchObject({ kind: 'chat', thinking: 'always' });
  });
});
