/**
 * The raw side of the decode, TTFT and load figures: node-llama-cpp alone, in its own process, with
 * no Hearth code, given the settings Hearth passes for a conversation at temperature 0 with "stop at
 * end of sequence" off (src-main/inference/sampling.ts): every sampling option explicit, no repeat
 * penalty, every end-of-generation token banned. Same model, context size (argv[3], else the model's
 * training context, at most 4096, as the app's default), threads (HEARTH_THREADS) and GPU setting
 * (none) as the app, and the same generator: a base model continues the prompt (LlamaCompletion), a
 * chat model answers it as one user message (LlamaChat) in the chat format the app resolved.
 *
 * Driven over IPC. {type:'run', prompt, maxTokens, chatTemplate} → {type:'result', decode, ttft, tokens,
 * prefillTokens}: `chatTemplate` is the app's chat format's name, null for a base model.
 * {type:'reload'} → {type:'loaded', loadMs}: the model and context disposed, then loaded again and timed
 * (loadModel + createContext).
 * Timing as Hearth's ReplyClock: TTFT from the call to the first token, decode = tokens after the
 * first over the time from the first token to the last; prefillTokens from the sequence's token meter.
 */
import { GeneralChatWrapper, getLlama, LlamaChat, LlamaCompletion, LlamaLogLevel, resolveChatWrapper, TokenBias } from 'node-llama-cpp';

const [modelPath, contextArgument] = process.argv.slice(2);
const threads = Number(process.env.HEARTH_THREADS) || 1;

const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
let model;
let context;
let sequence;
let endTokens;

async function load() {
  const startedAt = performance.now();
  model = await llama.loadModel({ modelPath });
  context = await model.createContext({ contextSize: Number(contextArgument) || Math.min(model.trainContextSize, 4096), threads });
  const loadMs = performance.now() - startedAt;
  sequence = context.getSequence();
  endTokens = [];
  const vocabularySize = model.fileInfo.metadata.tokenizer?.ggml?.tokens?.length ?? 0;
  for (let id = 0; id < vocabularySize; id++) if (model.isEogToken(id)) endTokens.push(id);
  return loadMs;
}

/**
 * The chat format as the app resolves it (src-main/inference/template.ts): the file's template, or for
 * a file without one its names alone, never its architecture. It must be the one the app named.
 */
function chatWrapper(name) {
  const { metadata } = model.fileInfo;
  const wrapper = metadata.tokenizer?.chat_template
    ? resolveChatWrapper(model)
    : resolveChatWrapper({ filename: model.filename, fileInfo: { ...model.fileInfo, metadata: { ...metadata, general: { ...metadata.general, architecture: undefined } } }, tokenizer: model.tokenizer, warningLogs: false });
  if (!wrapper || wrapper instanceof GeneralChatWrapper || wrapper.wrapperName !== name) throw new Error(`the app's chat format is "${name}", node-llama-cpp resolves ${wrapper?.wrapperName ?? 'none'}`);
  return wrapper;
}

async function run({ prompt, maxTokens, chatTemplate }) {
  const bias = new TokenBias(model.tokenizer);
  for (const token of endTokens) bias.set(token, 'never');
  let firstAt = null;
  let lastAt = null;
  let tokens = 0;
  const options = {
    temperature: 0,
    topK: 40,
    topP: 0.95,
    minP: 0.05,
    maxTokens,
    repeatPenalty: false,
    tokenBias: bias,
    onToken: (chunk) => {
      const at = performance.now();
      firstAt ??= at;
      lastAt = at;
      tokens += chunk.length;
    }
  };
  const generator = chatTemplate
    ? new LlamaChat({ contextSequence: sequence, chatWrapper: chatWrapper(chatTemplate), autoDisposeSequence: false })
    : new LlamaCompletion({ contextSequence: sequence, autoDisposeSequence: false });
  const inputBefore = sequence.tokenMeter.usedInputTokens;
  try {
    const startedAt = performance.now();
    if (chatTemplate) await generator.generateResponse([{ type: 'user', text: prompt }], options);
    else await generator.generateCompletionWithMeta(prompt, { ...options, customStopTriggers: [] });
    return { decode: ((tokens - 1) * 1000) / (lastAt - firstAt), ttft: firstAt - startedAt, tokens, prefillTokens: sequence.tokenMeter.usedInputTokens - inputBefore };
  } finally {
    generator.dispose();
  }
}

async function reload() {
  await context.dispose();
  await model.dispose();
  return load();
}

process.on('message', async (message) => {
  try {
    if (message.type === 'run') process.send({ type: 'result', ...(await run(message)) });
    else if (message.type === 'reload') process.send({ type: 'loaded', loadMs: await reload() });
  } catch (error) {
    process.send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
});
process.on('disconnect', () => process.exit(0));
const loadMs = await load();
process.send({ type: 'ready', threads, contextSize: context.contextSize, loadMs });
